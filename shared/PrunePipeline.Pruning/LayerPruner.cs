using System.Diagnostics;

namespace PrunePipeline.Pruning;

/// <summary>
/// Prunes one linear layer: the entry point of the whole-model workflow, the CLI verb "layer" and the services.
/// W₀ is rows×cols (out × in, row-major), H is cols×cols (H = XᵀX/N of the layer's inputs, symmetric PSD).
/// Runs the chosen method (§4 or §6), then the refinement (§5) of <see cref="LayerPruneSettings.EffectiveRefine"/>,
/// and reports f(W) = ½ Σ_rows (w − w₀)ᵀ H (w − w₀) before and after refinement.
/// </summary>
public static class LayerPruner
{
    /// <exception cref="ArgumentException">Shapes, N:M divisibility, NaN/Inf, asymmetric H, bad settings.</exception>
    /// <exception cref="InvalidOperationException">SparseGPT: H not positive definite even after damping retries.</exception>
    public static LayerPruneResult Run(ReadOnlySpan<float> w0, ReadOnlySpan<float> h, int rows, int cols,
        LayerPruneSettings settings, Action<PruneProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        LayerInputValidation.Check(w0, h, rows, cols, settings);
        var pattern = settings.EffectivePattern;
        var refine = settings.EffectiveRefine;
        var methodClock = Stopwatch.StartNew();
        float[] weights;
        byte[] mask;
        int iterations = 0;
        double finalLambda = 0, dampingUsed = 0;
        var hitMax = false;
        MatrixProxPruner.State? prox = null;
        switch (settings.Method)
        {
            case PruneMethod.Prox:
                prox = MatrixProxPruner.Run(w0, h, rows, cols, settings, progress, ct);
                (iterations, finalLambda, hitMax, mask) = (prox.Iterations, prox.FinalLambda, prox.HitMax, prox.Mask);
                weights = Unscale(prox.V, prox.Mask, prox.D, rows, cols);
                break;
            case PruneMethod.Wanda:
            case PruneMethod.Magnitude:
                mask = BaselineMask(w0, h, rows, cols, pattern, settings.Method);
                weights = w0.ToArray();
                for (var i = 0; i < weights.Length; i++) if (mask[i] == 0) weights[i] = 0;
                break;
            case PruneMethod.SparseGpt:
                weights = w0.ToArray();
                (mask, dampingUsed) = SparseGpt.Run(weights, h, rows, cols, pattern, settings.Damping, settings.DampingRetries, settings.BlockSize, ct);
                for (var i = 0; i < weights.Length; i++) if (mask[i] == 0) weights[i] = 0;
                break;
            default:
                throw new ArgumentException($"unknown method {settings.Method}.");
        }
        methodClock.Stop();
        var lossBefore = LocalLoss.Compute(weights, w0, h, rows, cols);

        var refineClock = Stopwatch.StartNew();
        switch (refine)
        {
            case RefineMode.Gd when prox is not null && settings.RefineInRescaledSpace:
                // §4 step 6: refine V against V₀ and Ĥ (unit diagonal, better conditioned), then undo the rescale.
                Refinement.Gd(prox.V0, prox.HHat, prox.V, prox.Mask, rows, cols, settings.RefineSteps, prox.L, progress, ct);
                weights = Unscale(prox.V, prox.Mask, prox.D, rows, cols);
                break;
            case RefineMode.Gd:
                Refinement.Gd(w0, h, weights, mask, rows, cols, settings.RefineSteps, null, progress, ct);
                break;
            case RefineMode.Exact:
                Refinement.Exact(w0, h, weights, mask, rows, cols, ct);
                break;
        }
        refineClock.Stop();
        var lossAfter = refine == RefineMode.None ? lossBefore : LocalLoss.Compute(weights, w0, h, rows, cols);

        return new LayerPruneResult
        {
            Weights = weights,
            Mask = mask,
            LossBeforeRefine = lossBefore,
            LossAfterRefine = lossAfter,
            Iterations = iterations,
            FinalLambda = finalLambda,
            HitMaxIterations = hitMax,
            DampingUsed = dampingUsed,
            MethodTime = methodClock.Elapsed,
            IterationTime = prox?.LoopTime ?? TimeSpan.Zero,
            RefineTime = refineClock.Elapsed,
            ValidGroupsFraction = Validity(weights, rows, cols, pattern),
            Refine = refine,
            Pattern = pattern,
            Method = settings.Method,
        };
    }

    /// <summary>Magnitude (|W|) or Wanda (|W|·sqrt(H_jj)) mask for the pattern. Unstructured: Wanda compares
    /// within each row (as published), magnitude over the whole matrix (layer-wise, as published).</summary>
    public static byte[] BaselineMask(ReadOnlySpan<float> w0, ReadOnlySpan<float> h, int rows, int cols, SparsityPattern pattern, PruneMethod method)
    {
        var score = new float[rows * cols];
        for (var r = 0; r < rows; r++)
            for (var j = 0; j < cols; j++)
            {
                var a = Math.Abs(w0[r * cols + j]);
                score[r * cols + j] = method == PruneMethod.Wanda ? a * MathF.Sqrt(Math.Max(0f, h[j * cols + j])) : a;
            }
        var mask = new byte[rows * cols];
        if (!pattern.IsUnstructured) PruneMasks.KeepTopNPerGroup(score, mask, rows, cols, pattern.N, pattern.M);
        else if (method == PruneMethod.Wanda) PruneMasks.PruneLowestPerRow(score, mask, rows, cols, pattern.UnstructuredRatio!.Value);
        else PruneMasks.PruneLowestGlobal(score, mask, rows, cols, pattern.UnstructuredRatio!.Value);
        return mask;
    }

    private static float[] Unscale(float[] v, byte[] mask, float[] d, int rows, int cols)
    {
        var w = new float[rows * cols];
        for (var r = 0; r < rows; r++)
            for (var j = 0; j < cols; j++)
            {
                var i = r * cols + j;
                w[i] = mask[i] != 0 ? v[i] / d[j] : 0f;
            }
        return w;
    }

    private static double Validity(float[] w, int rows, int cols, SparsityPattern pattern)
    {
        if (!pattern.IsUnstructured) return PruneMasks.ValidGroupsFraction(w, rows, cols, pattern.N, pattern.M);
        long zeros = 0;
        foreach (var x in w) if (x == 0) zeros++;
        var target = Math.Round(pattern.UnstructuredRatio!.Value * w.Length);
        return target == 0 ? 1 : Math.Min(1, zeros / target);
    }
}
