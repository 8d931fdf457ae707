using System.Diagnostics;
using PrunePipeline.Pruning;
using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.Workflow.Stages;

/// <summary>
/// The "refine a layer" stage (algorithm.md §5): on the fixed mask of <see cref="PrunedLayer"/>, minimise the local
/// loss against W₀ and H by masked gradient descent ("gd", <see cref="PruneMethodSettings.RefineSteps"/> steps) or by
/// the exact per-row solve ("exact"). For prox the descent runs in the rescaled space of §4 (V = W·diag(d),
/// Ĥ = diag(1/d)·H·diag(1/d), step 6) exactly as the paper's pipeline does; the objective is the same, only the
/// conditioning of the descent differs. "none" returns the pruned weights unchanged.
/// </summary>
public static class LayerRefineStage
{
    /// <summary>Refines the output of <see cref="LayerPruneStage"/> (prunectl prune); "none" returns it unchanged.</summary>
    public static RefinedLayer Run(PrunedLayer pruned, float[] w0, float[] h, PruneMethodSettings parameters,
        Action<LayerProgress>? progress = null, CancellationToken ct = default)
    {
        parameters.Validate();
        if (!Changes(parameters)) return new RefinedLayer(pruned.Tensor, pruned.Weights, pruned.Loss, TimeSpan.Zero);
        return Run(pruned.Tensor, pruned.Weights, pruned.Mask, pruned.Rows, pruned.Cols, w0, h, parameters, progress, ct);
    }

    /// <summary>Refines stored pruned weights on their stored mask (the finetuner service): the same computation.</summary>
    /// <param name="weights">rows×cols pruned weights, zero off the mask.</param>
    /// <param name="mask">rows×cols, 1 = kept.</param>
    public static RefinedLayer Run(string tensor, float[] weights, byte[] mask, int rows, int cols, float[] w0,
        float[] h, PruneMethodSettings parameters, Action<LayerProgress>? progress = null, CancellationToken ct = default)
    {
        parameters.Validate();
        var n = (long)rows * cols;
        if (weights.Length != n) throw new ArgumentException($"{tensor}: pruned weights have {weights.Length} values, expected {rows}×{cols}.");
        if (mask.Length != n) throw new ArgumentException($"{tensor}: mask has {mask.Length} values, expected {rows}×{cols}.");
        if (w0.Length != n) throw new ArgumentException($"{tensor}: weights have {w0.Length} values, expected {rows}×{cols}.");
        if (h.Length != (long)cols * cols) throw new ArgumentException($"{tensor}: H has {h.Length} values, expected {cols}×{cols}.");
        var sw = Stopwatch.StartNew();
        var refined = Changes(parameters) ? PruningSettings.Refine(weights, mask, rows, cols, w0, h, parameters, progress, ct) : weights;
        var loss = LocalLoss.Compute(refined, w0, h, rows, cols);
        sw.Stop();
        return new RefinedLayer(tensor, refined, loss, sw.Elapsed);
    }

    static bool Changes(PruneMethodSettings p) => p.Refines && !(p.Refine == "gd" && p.RefineSteps == 0);
}
