using System.Diagnostics;
using PrunePipeline.Pruning;
using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.Workflow.Stages;

/// <summary>
/// The "refine a layer" stage (algorithm.md §5): on the fixed mask of <see cref="PrunedLayer"/>, minimise the local
/// loss against W₀ and H by masked gradient descent ("gd", <see cref="PruneParameters.RefineSteps"/> steps) or by
/// the exact per-row solve ("exact"). For prox the descent runs in the rescaled space of §4 (V = W·diag(d),
/// Ĥ = diag(1/d)·H·diag(1/d), step 6) exactly as the paper's pipeline does; the objective is the same, only the
/// conditioning of the descent differs. "none" returns the pruned weights unchanged.
/// </summary>
public static class LayerRefineStage
{
    public static RefinedLayer Run(PrunedLayer pruned, ReadOnlySpan<float> w0, ReadOnlySpan<float> h, PruneParameters parameters,
        Action<LayerProgress>? progress = null, CancellationToken ct = default)
    {
        parameters.Validate();
        int rows = pruned.Rows, cols = pruned.Cols;
        if (w0.Length != (long)rows * cols) throw new ArgumentException($"{pruned.Tensor}: weights have {w0.Length} values, expected {rows}×{cols}.");
        if (h.Length != (long)cols * cols) throw new ArgumentException($"{pruned.Tensor}: H has {h.Length} values, expected {cols}×{cols}.");
        if (parameters.Refine == "none" || (parameters.Refine == "gd" && parameters.RefineSteps == 0))
            return new RefinedLayer(pruned.Tensor, pruned.Weights, pruned.Loss, TimeSpan.Zero);
        var sw = Stopwatch.StartNew();
        var refined = PruningSettings.Refine(pruned, w0, h, parameters, progress, ct);
        var loss = LocalLoss.Compute(refined, w0, h, rows, cols);
        sw.Stop();
        return new RefinedLayer(pruned.Tensor, refined, loss, sw.Elapsed);
    }
}
