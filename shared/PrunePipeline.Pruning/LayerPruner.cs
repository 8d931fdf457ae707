using System.Diagnostics;
using PrunePipeline.Tensors;
using static TorchSharp.torch;

namespace PrunePipeline.Pruning;

/// <summary>
/// Prunes one linear layer: the entry point of the whole-model workflow, the CLI verb "layer" and the services.
/// W₀ is rows×cols (out × in, row-major), H is cols×cols (H = XᵀX/N of the layer's inputs, symmetric PSD).
/// Runs the chosen method (§4 or §6), then the refinement (§5) of <see cref="LayerPruneSettings.EffectiveRefine"/>
/// through <see cref="LayerRefinement"/> (the same code the workflow's refine stage calls), and reports
/// f(W) = ½ Σ_rows (w − w₀)ᵀ H (w − w₀) before and after refinement. All tensor work runs on torch, on the device of
/// the tensors (tensor overload) or of <see cref="LayerPruneSettings.Device"/> (span overload).
/// </summary>
public static class LayerPruner
{
    /// <exception cref="ArgumentException">Shapes, N:M divisibility, NaN/Inf, asymmetric H, bad settings.</exception>
    /// <exception cref="InvalidOperationException">SparseGPT: H not positive definite even after damping retries.</exception>
    public static LayerPruneResult Run(ReadOnlySpan<float> w0, ReadOnlySpan<float> h, int rows, int cols,
        LayerPruneSettings settings, Action<PruneProgress>? progress = null, CancellationToken ct = default)
    {
        var device = CheckedDevice(w0, h, rows, cols, settings);
        using var tw0 = TorchLayer.FromSpan(w0, rows, cols, device);
        using var th = TorchLayer.FromSpan(h, cols, cols, device);
        return RunValidated(tw0, th, settings, progress, ct);
    }

    /// <summary>
    /// The array form: as the span form, but on the CPU the tensors view <paramref name="w0"/> and <paramref name="h"/>
    /// (no copies; the pruner never writes its inputs, tested), so pruning a layer of a resident block costs only the
    /// method's own working memory.
    /// </summary>
    public static LayerPruneResult Run(float[] w0, float[] h, int rows, int cols, LayerPruneSettings settings,
        Action<PruneProgress>? progress = null, CancellationToken ct = default)
    {
        var device = CheckedDevice(w0, h, rows, cols, settings);
        using var tw0 = TorchLayer.View(w0, rows, cols, device);
        using var th = TorchLayer.View(h, cols, cols, device);
        return RunValidated(tw0, th, settings, progress, ct);
    }

    private static Device CheckedDevice(ReadOnlySpan<float> w0, ReadOnlySpan<float> h, int rows, int cols, LayerPruneSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        LayerInputValidation.Check(w0, h, rows, cols, settings);
        return TorchLayer.ParseDevice(settings.Device);
    }

    /// <summary>The tensor form: W₀ (rows×cols) and H (cols×cols), fp32, on one device; computes there.</summary>
    public static LayerPruneResult Run(Tensor w0, Tensor h, LayerPruneSettings settings, Action<PruneProgress>? progress = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        TorchRuntime.Initialize();
        settings.Validate();
        LayerInputValidation.Check(w0, h, settings);
        using var scope = NewDisposeScope();
        return RunValidated(w0.to(ScalarType.Float32).contiguous(), h.to(ScalarType.Float32).contiguous(), settings, progress, ct);
    }

    private static LayerPruneResult RunValidated(Tensor w0, Tensor h, LayerPruneSettings settings, Action<PruneProgress>? progress,
        CancellationToken ct)
    {
        using var scope = NewDisposeScope();
        var pattern = settings.EffectivePattern;
        var refine = settings.EffectiveRefine;
        var methodClock = Stopwatch.StartNew();
        Tensor weights, mask;
        int iterations = 0;
        double finalLambda = 0, dampingUsed = 0;
        var hitMax = false;
        var loopTime = TimeSpan.Zero;
        double methodGemms;
        switch (settings.Method)
        {
            case PruneMethod.Prox:
                var prox = MatrixProxPruner.Run(w0, h, settings, progress, ct);
                (iterations, finalLambda, hitMax, mask, loopTime) = (prox.Iterations, prox.FinalLambda, prox.HitMax, prox.Mask, prox.LoopTime);
                weights = prox.Space.Unscale(prox.V, prox.Mask);
                methodGemms = prox.GemmEquivalents;
                break;
            case PruneMethod.Wanda:
            case PruneMethod.Magnitude:
                mask = BaselineMask(w0, h, pattern, settings.Method);
                weights = w0 * mask; // promoted on the fly: no fp32 copy of the mask
                methodGemms = 0;
                break;
            case PruneMethod.SparseGpt:
                weights = w0.clone();
                (mask, dampingUsed) = SparseGpt.Run(weights, h, pattern, settings.Damping, settings.DampingRetries, settings.BlockSize, ct);
                weights.mul_(mask);
                // Inverse and its Cholesky (≈ 2·cols³ flops) plus the lazy updates (≈ rows·cols²), per 2·rows·cols².
                methodGemms = 0.5 + (double)w0.shape[1] / w0.shape[0];
                break;
            default:
                throw new ArgumentException($"unknown method {settings.Method}.");
        }
        methodClock.Stop();
        var lossBefore = LocalLoss.Compute(weights, w0, h);

        var refineClock = Stopwatch.StartNew();
        var refineGemms = 0.0;
        if (refine != RefineMode.None) weights = LayerRefinement.Run(w0, h, weights, mask, settings, progress, ct, out refineGemms);
        refineClock.Stop();
        var lossAfter = refine == RefineMode.None ? lossBefore : LocalLoss.Compute(weights, w0, h);
        var weightArray = TorchLayer.ToFloats(weights);
        return new LayerPruneResult
        {
            Weights = weightArray,
            Mask = TorchLayer.ToBytes(mask),
            LossBeforeRefine = lossBefore,
            LossAfterRefine = lossAfter,
            Iterations = iterations,
            FinalLambda = finalLambda,
            HitMaxIterations = hitMax,
            DampingUsed = dampingUsed,
            MethodTime = methodClock.Elapsed,
            IterationTime = loopTime,
            RefineTime = refineClock.Elapsed,
            ValidGroupsFraction = Validity(weightArray, (int)w0.shape[0], (int)w0.shape[1], pattern),
            Refine = refine,
            Pattern = pattern,
            Method = settings.Method,
            Device = TorchDevices.Name(w0.device),
            MethodGemmEquivalents = methodGemms,
            RefineGemmEquivalents = refineGemms,
        };
    }

    /// <summary>Magnitude (|W|) or Wanda (|W|·sqrt(H_jj)) mask for the pattern. Unstructured: Wanda compares
    /// within each row (as published), magnitude over the whole matrix (layer-wise, as published).</summary>
    public static byte[] BaselineMask(ReadOnlySpan<float> w0, ReadOnlySpan<float> h, int rows, int cols, SparsityPattern pattern, PruneMethod method)
    {
        TorchRuntime.Initialize();
        using var tw0 = TorchLayer.FromSpan(w0, rows, cols, CPU);
        using var th = TorchLayer.FromSpan(h, cols, cols, CPU);
        using var mask = BaselineMask(tw0, th, pattern, method);
        return TorchLayer.ToBytes(mask);
    }

    internal static Tensor BaselineMask(Tensor w0, Tensor h, SparsityPattern pattern, PruneMethod method) =>
        BaselineMask(w0, h, pattern, method, TorchMasks.ChunkElements);

    internal static Tensor BaselineMask(Tensor w0, Tensor h, SparsityPattern pattern, PruneMethod method, long chunkElements)
    {
        // Magnitude's unstructured ranking is over the whole matrix; every other choice is per row, so it is made over
        // chunks of rows.
        if (pattern.IsUnstructured && method != PruneMethod.Wanda) return ScoreMask(w0, h, pattern, method);
        return TorchMasks.ByRowChunks(w0.shape[0], w0.shape[1], w0.device, chunkElements,
            (r0, r) => ScoreMask(w0.narrow(0, r0, r), h, pattern, method));
    }

    private static Tensor ScoreMask(Tensor w0, Tensor h, SparsityPattern pattern, PruneMethod method)
    {
        using var scope = NewDisposeScope();
        var score = w0.abs();
        if (method == PruneMethod.Wanda) score = score * h.diagonal().clamp_min(0f).sqrt().unsqueeze(0);
        var mask = !pattern.IsUnstructured ? TorchMasks.KeepTopNPerGroup(score, pattern.N, pattern.M)
            : method == PruneMethod.Wanda ? TorchMasks.PruneLowestPerRow(score, pattern.UnstructuredRatio!.Value)
            : TorchMasks.PruneLowestGlobal(score, pattern.UnstructuredRatio!.Value);
        return mask.MoveToOuterDisposeScope();
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
