namespace PrunePipeline.Pruning;

/// <summary>Pruning methods of algorithm.md §4 and §6.</summary>
public enum PruneMethod
{
    /// <summary>Matrix Prox Pruner (§4, Kübler et al.), 2:4 only.</summary>
    Prox,
    /// <summary>Keep the largest |W_ij|·sqrt(H_jj) (§6).</summary>
    Wanda,
    /// <summary>SparseGPT with damping, blocked column sweep and lazy updates (§6).</summary>
    SparseGpt,
    /// <summary>Keep the largest |W_ij| (§6).</summary>
    Magnitude,
}
