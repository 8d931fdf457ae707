using System.Diagnostics;
using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.Workflow.Stages;

/// <summary>
/// The "prune a layer" stage: one linear W₀ (rows×cols) and the Hessian H (cols×cols) of its input → 2:4 weights and
/// mask by the chosen method, WITHOUT the masked refinement of §5 (that is <see cref="LayerRefineStage"/>, which the
/// pipeline runs in the finetuner service). For prox this is steps 1–5 and 7 of §4: the weights returned are the
/// final prox iterate restricted to its mask and mapped back through the diagonal rescale.
/// Deterministic: equal inputs give bit-identical masks and weights.
/// </summary>
public static class LayerPruneStage
{
    public static PrunedLayer Run(string tensor, float[] w0, float[] h, int rows, int cols,
        PruneMethodSettings parameters, Action<LayerProgress>? progress = null, CancellationToken ct = default)
    {
        parameters.Validate();
        if (cols % 4 != 0) throw new ArgumentException($"{tensor}: {cols} input columns is not divisible by 4; 2:4 pruning needs groups of four.");
        if (w0.Length != (long)rows * cols) throw new ArgumentException($"{tensor}: weights have {w0.Length} values, expected {rows}×{cols}.");
        if (h.Length != (long)cols * cols) throw new ArgumentException($"{tensor}: H has {h.Length} values, expected {cols}×{cols}.");
        var sw = Stopwatch.StartNew();
        var result = PruningSettings.Prune(w0, h, rows, cols, parameters, progress, ct);
        sw.Stop();
        return new PrunedLayer(tensor, rows, cols, result.Weights, result.Mask, result.LossBeforeRefine,
            result.Iterations, parameters.Method == "prox" ? result.FinalLambda : null, result.HitMaxIterations,
            parameters.Method == "sparsegpt" ? result.DampingUsed : null, sw.Elapsed);
    }
}
