namespace PrunePipeline.Pruning;

/// <summary>Masked refinement after pruning (algorithm.md §5).</summary>
public enum RefineMode
{
    /// <summary>Keep the method's weights.</summary>
    None,
    /// <summary>Masked gradient descent, η = 1/λ_max(H), a fixed number of steps.</summary>
    Gd,
    /// <summary>Per-row closed form w_S = (H_SS)⁻¹ (H w₀)_S.</summary>
    Exact,
    /// <summary>Conjugate gradient on each row's kept set (batched over rows: one GEMM per step, per-row step sizes
    /// and stopping), in the rescaled space (i.e. Jacobi-preconditioned). Reaches GD's loss in far fewer GEMMs.</summary>
    Cg,
}
