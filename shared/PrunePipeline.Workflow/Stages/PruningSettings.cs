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
    internal static LayerPruneResult Prune(ReadOnlySpan<float> w0, ReadOnlySpan<float> h, int rows, int cols, PruneMethodSettings p,
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
        Refine: p.Refine switch { "gd" => RefineMode.Gd, "exact" => RefineMode.Exact, _ => RefineMode.None },
        RefineSteps: p.RefineSteps,
        Lambda0: p.Lambda0,
        Beta: p.Beta,
        MaxIters: p.MaxIters,
        Damping: p.Damping);

    /// <summary>
    /// Refined copy of the pruned weights on their mask. Prox + gd descends in the rescaled space of §4 step 6
    /// (V = W·diag(d), V₀ = W₀·diag(d), Ĥ = diag(1/d)·H·diag(1/d), d_j = sqrt(H_jj), dead inputs d_j = 1 and zero in Ĥ),
    /// exactly as <see cref="LayerPruner"/> does inside one call; the other methods descend on W, W₀, H (§5).
    /// </summary>
    internal static float[] Refine(float[] weights, byte[] mask, int rows, int cols, ReadOnlySpan<float> w0, ReadOnlySpan<float> h,
        PruneMethodSettings p, Action<LayerProgress>? progress, CancellationToken ct)
    {
        var w = (float[])weights.Clone();
        if (p.Refine == "exact")
        {
            Refinement.Exact(w0, h, w, mask, rows, cols, ct);
            return w;
        }
        if (p.Method != "prox")
        {
            Refinement.Gd(w0, h, w, mask, rows, cols, p.RefineSteps, null, Map(progress), ct);
            return w;
        }
        var d = new float[cols];
        var dead = new bool[cols];
        for (var j = 0; j < cols; j++)
        {
            var hjj = h[j * cols + j];
            dead[j] = !(hjj > 0);
            d[j] = dead[j] ? 1f : MathF.Sqrt(hjj);
        }
        var hHat = new float[(long)cols * cols];
        for (var i = 0; i < cols; i++)
            for (var j = 0; j < cols; j++)
                hHat[i * cols + j] = dead[i] || dead[j] ? 0f : h[i * cols + j] / (d[i] * d[j]);
        var v0 = new float[w.Length];
        for (var r = 0; r < rows; r++)
            for (var j = 0; j < cols; j++)
            {
                v0[r * cols + j] = w0[r * cols + j] * d[j];
                w[r * cols + j] *= d[j];
            }
        Refinement.Gd(v0, hHat, w, mask, rows, cols, p.RefineSteps, null, Map(progress), ct);
        for (var r = 0; r < rows; r++)
            for (var j = 0; j < cols; j++)
                w[r * cols + j] = mask[r * cols + j] != 0 ? w[r * cols + j] / d[j] : 0f;
        return w;
    }

    private static Action<PruneProgress>? Map(Action<LayerProgress>? progress) =>
        progress is null ? null : p => progress(new LayerProgress(p.Stage, p.Iteration, p.MaxIterations, p.Stage == "prox" ? p.Lambda : null));
}
