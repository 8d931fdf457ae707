using PrunePipeline.Pruning;
using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.Workflow.Stages;

/// <summary>
/// The one place where the workflow calls the pruning algorithms library (PrunePipeline.Pruning): maps
/// <see cref="PruneMethodSettings"/> to <see cref="LayerPruneSettings"/> and progress records back.
/// </summary>
internal static class PruningSettings
{
    /// <summary>The method alone (refinement is the separate stage).</summary>
    internal static LayerPruneResult Prune(float[] w0, float[] h, int rows, int cols, PruneMethodSettings p,
        Action<LayerProgress>? progress, CancellationToken ct) =>
        LayerPruner.Run(w0, h, rows, cols, Settings(p) with { Refine = RefineMode.None }, Map(progress), ct);

    internal static LayerPruneSettings Settings(PruneMethodSettings p) => new(
        Method: p.Method switch
        {
            "prox" => PruneMethod.Prox,
            "wanda" => PruneMethod.Wanda,
            "sparsegpt" => PruneMethod.SparseGpt,
            "magnitude" => PruneMethod.Magnitude,
            _ => throw new ArgumentException($"method '{p.Method}' is unknown."),
        },
        Refine: p.Refine switch { "gd" => RefineMode.Gd, "exact" => RefineMode.Exact, "cg" => RefineMode.Cg, _ => RefineMode.None },
        RefineSteps: p.RefineSteps,
        Lambda0: p.Lambda0,
        Beta: p.Beta,
        MaxIters: p.MaxIters,
        Damping: p.Damping,
        Schedule: p.Schedule == "paper" ? ProxSchedule.Paper : ProxSchedule.Adaptive,
        Momentum: p.Momentum,
        AdaptiveBeta: p.AdaptiveBeta,
        FastBeta: p.FastBeta,
        StartDivisor: p.StartDivisor,
        CompactEvery: p.CompactEvery,
        CgTolerance: p.CgTolerance);

    /// <summary>
    /// Refined copy of the pruned weights on their mask, by the pruning library's one refinement
    /// (<see cref="LayerRefinement"/>, also what <see cref="LayerPruner"/> runs inside one call): prox + gd descends in
    /// the rescaled space of §4 step 6, the other methods on W, W₀, H (§5), "exact" solves each row.
    /// </summary>
    internal static float[] Refine(float[] weights, byte[] mask, int rows, int cols, float[] w0, float[] h,
        PruneMethodSettings p, Action<LayerProgress>? progress, CancellationToken ct) =>
        LayerRefinement.Run(w0, h, weights, mask, rows, cols, Settings(p), Map(progress), ct);

    private static Action<PruneProgress>? Map(Action<LayerProgress>? progress) =>
        progress is null ? null : p => progress(new LayerProgress(p.Stage, p.Iteration, p.MaxIterations, p.Stage == "prox" ? p.Lambda : null));
}
