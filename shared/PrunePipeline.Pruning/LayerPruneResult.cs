namespace PrunePipeline.Pruning;

/// <summary>
/// The pruned layer: weights (rows×cols row-major, exact zeros off the mask), the mask (1 = kept), the local loss
/// f(W) = ½ Σ_rows (w − w₀)ᵀ H (w − w₀) of the method's weights (before refinement) and of the final weights,
/// and how the run went.
/// </summary>
public sealed record LayerPruneResult
{
    public required float[] Weights { get; init; }
    public required byte[] Mask { get; init; }
    public required double LossBeforeRefine { get; init; }
    public required double LossAfterRefine { get; init; }
    /// <summary>Prox iterations run (0 for the other methods).</summary>
    public int Iterations { get; init; }
    /// <summary>λ at the last prox iteration (0 for the other methods).</summary>
    public double FinalLambda { get; init; }
    /// <summary>The prox reached K_max before every group was 2-sparse (the final top-2 projection still applies).</summary>
    public bool HitMaxIterations { get; init; }
    /// <summary>SparseGPT's relative damping δ actually used (after retries); 0 for the other methods.</summary>
    public double DampingUsed { get; init; }
    public TimeSpan MethodTime { get; init; }
    /// <summary>Prox only: wall time of the iteration loop (sgemm + fused prox), excluding setup and the final mask.</summary>
    public TimeSpan IterationTime { get; init; }
    public TimeSpan RefineTime { get; init; }
    /// <summary>Fraction of groups meeting the N:M pattern (1.0 expected); for unstructured, 1.0 when the pruned
    /// count reaches the target, else the achieved fraction of it.</summary>
    public double ValidGroupsFraction { get; init; }
    /// <summary>The refinement that was applied.</summary>
    public RefineMode Refine { get; init; }
    public required SparsityPattern Pattern { get; init; }
    public PruneMethod Method { get; init; }
    /// <summary>The method's work in units of one rows×cols×cols GEMM (prox: the iterations' GEMMs, counting a GEMM
    /// over a subset of rows by its fraction; SparseGPT: an estimate from its flop count; Wanda, magnitude: 0).</summary>
    public double MethodGemmEquivalents { get; init; }
    /// <summary>The refinement's work in the same unit (GD: steps + 1; CG: steps + 1; exact: an estimate).</summary>
    public double RefineGemmEquivalents { get; init; }
    /// <summary>The device the layer was computed on: cpu or cuda:N.</summary>
    public string Device { get; init; } = "cpu";
}
