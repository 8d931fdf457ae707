namespace PrunePipeline.Pruning;

/// <summary>How the Matrix Prox Pruner grows λ and which rows it iterates.</summary>
public enum ProxSchedule
{
    /// <summary>The paper's schedule (algorithm.md §4): λ_k = λ0·β^k, every row iterated until all groups are 2:4.</summary>
    Paper,

    /// <summary>
    /// Ours (issue #12): λ starts where the first groups of V₀ become 2-sparse by §3's threshold t ≥ y3/(y1·y2) instead of
    /// at λ0; λ grows by <see cref="LayerPruneSettings.FastBeta"/> while no group became 2-sparse in the last iteration
    /// and by β (the paper's rate) while supports are being decided;
    /// rows that are already 2:4 leave the iteration (their support is final, their values are set by the refinement),
    /// so the GEMM shrinks to the active rows.
    /// </summary>
    Adaptive,
}
