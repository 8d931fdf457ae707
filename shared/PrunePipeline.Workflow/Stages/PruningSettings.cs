using PrunePipeline.Numerics;
using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.Workflow.Stages;

/// <summary>
/// The one place where the workflow calls the pruning algorithms library (PrunePipeline.Pruning): maps
/// <see cref="PruneParameters"/> to its settings and its results back.
/// </summary>
internal static class PruningSettings
{
    internal sealed record MethodResult(float[] Weights, byte[] Mask, double LossBeforeRefine, int Iterations, double FinalLambda,
        bool HitMaxIterations, double DampingUsed);

    internal static MethodResult Prune(ReadOnlySpan<float> w0, ReadOnlySpan<float> h, int rows, int cols, PruneParameters p,
        Action<LayerProgress>? progress, CancellationToken ct)
    {
        var mask = new byte[w0.Length];
        var scores = new float[w0.Length];
        switch (p.Method)
        {
            case "magnitude":
                for (var i = 0; i < w0.Length; i++) scores[i] = Math.Abs(w0[i]);
                break;
            case "wanda":
                for (var r = 0; r < rows; r++)
                    for (var j = 0; j < cols; j++)
                        scores[r * cols + j] = Math.Abs(w0[r * cols + j]) * MathF.Sqrt(Math.Max(0f, h[j * cols + j]));
                break;
            default:
                throw new NotSupportedException($"method '{p.Method}' is not available yet.");
        }
        TopTwo(scores, mask);
        var w = new float[w0.Length];
        for (var i = 0; i < w.Length; i++) w[i] = mask[i] != 0 ? w0[i] : 0f;
        return new MethodResult(w, mask, LocalLoss.Compute(w0, w, h, rows, cols), 0, 0, false, 0);
    }

    internal static float[] Refine(PrunedLayer pruned, ReadOnlySpan<float> w0, ReadOnlySpan<float> h, PruneParameters p,
        Action<LayerProgress>? progress, CancellationToken ct)
    {
        if (p.Refine != "gd") throw new NotSupportedException($"refinement '{p.Refine}' is not available yet.");
        int rows = pruned.Rows, cols = pruned.Cols;
        var eta = (float)(1.0 / Spectral.LargestEigenvalue(h, cols));
        var w = (float[])pruned.Weights.Clone();
        var d = new float[w.Length];
        var g = new float[w.Length];
        for (var step = 0; step < p.RefineSteps; step++)
        {
            ct.ThrowIfCancellationRequested();
            for (var i = 0; i < w.Length; i++) d[i] = w[i] - w0[i];
            Blas.Sgemm(d, false, h, false, g, rows, cols, cols);
            for (var i = 0; i < w.Length; i++) w[i] = pruned.Mask[i] != 0 ? w[i] - eta * g[i] : 0f;
            if ((step & 63) == 0) progress?.Invoke(new LayerProgress("refine", step, p.RefineSteps, null));
        }
        return w;
    }

    private static void TopTwo(ReadOnlySpan<float> scores, Span<byte> mask)
    {
        for (var g = 0; g < scores.Length; g += 4)
        {
            // Keep the two highest scores; ties go to the lower index (stable, deterministic).
            int a = -1, b = -1;
            for (var k = 0; k < 4; k++)
            {
                var s = scores[g + k];
                if (a < 0 || s > scores[g + a]) { b = a; a = k; }
                else if (b < 0 || s > scores[g + b]) b = k;
            }
            mask[g + a] = 1;
            mask[g + b] = 1;
        }
    }
}
