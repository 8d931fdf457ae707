using PrunePipeline.Tensors;
using static TorchSharp.torch;

namespace PrunePipeline.Pruning;

/// <summary>
/// The refinement stage of a pruned layer (algorithm.md §5, and §4 step 6 for prox), implemented once: the
/// single-call <see cref="LayerPruner"/> and the workflow's separate refine stage (which has only W₀, H, the pruned
/// weights and the mask) both call it, so `prunectl layer` and `prunectl prune` give identical weights.
/// <see cref="LayerPruneSettings.EffectiveRefine"/> chooses the mode; for prox + gd the descent runs in the rescaled
/// space (V = W·diag(d) against V₀ and Ĥ, recomputed from W₀ and H exactly as the prox iteration computed them).
/// </summary>
public static class LayerRefinement
{
    /// <summary>Refined copy of <paramref name="weights"/> (zeros off the mask), on the inputs' device.</summary>
    public static Tensor Run(Tensor w0, Tensor h, Tensor weights, Tensor mask, LayerPruneSettings settings,
        Action<PruneProgress>? progress = null, CancellationToken ct = default) =>
        Run(w0, h, weights, mask, settings, progress, ct, out _);

    /// <summary>As above; <paramref name="gemmEquivalents"/> is the work in units of one rows×cols×cols GEMM.</summary>
    public static Tensor Run(Tensor w0, Tensor h, Tensor weights, Tensor mask, LayerPruneSettings settings,
        Action<PruneProgress>? progress, CancellationToken ct, out double gemmEquivalents)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var w = (weights * mask).contiguous(); // uint8 mask promoted on the fly: no fp32 copy of it
        gemmEquivalents = 0;
        switch (settings.EffectiveRefine)
        {
            case RefineMode.Exact:
                Refinement.Exact(w0, h, w, mask, ct);
                // One Cholesky of about (cols/2)³/3 flops per row, against 2·rows·cols² for a GEMM.
                gemmEquivalents = 1 + w.shape[1] / 48.0;
                break;
            case RefineMode.Cg:
            {
                // In the rescaled space (unit diagonal): CG there is Jacobi-preconditioned CG on W.
                using var space = RescaledLayer.Create(w0, h);
                using var v = space.Scale(w);
                w.Dispose(); // V carries it from here (one W less while the refinement runs)
                gemmEquivalents = Refinement.Cg(space.TakeV0, space.HHat, v, mask, settings.CgSteps, settings.CgTolerance, progress, ct);
                w = space.Unscale(v, mask);
                break;
            }
            case RefineMode.Gd when settings.Method == PruneMethod.Prox && settings.RefineInRescaledSpace:
            {
                using var space = RescaledLayer.Create(w0, h);
                using var v = space.Scale(w);
                w.Dispose(); // V carries it from here (one W less while the refinement runs)
                Refinement.Gd(space.TakeV0, space.HHat, v, mask, settings.RefineSteps, null, progress, ct);
                gemmEquivalents = settings.RefineSteps + 1;
                w = space.Unscale(v, mask);
                break;
            }
            case RefineMode.Gd:
                Refinement.Gd(w0, h, w, mask, settings.RefineSteps, null, progress, ct);
                gemmEquivalents = settings.RefineSteps + 1;
                break;
        }
        return w;
    }

    /// <summary>The array form: W₀, weights and mask rows×cols, H cols×cols; computes on
    /// <see cref="LayerPruneSettings.Device"/> (on the CPU over views of the arrays, which it only reads) and returns
    /// the refined weights.</summary>
    public static float[] Run(float[] w0, float[] h, float[] weights, byte[] mask,
        int rows, int cols, LayerPruneSettings settings, Action<PruneProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (weights.Length != (long)rows * cols || mask.Length != (long)rows * cols)
            throw new ArgumentException($"weights ({weights.Length}) and mask ({mask.Length}) must have {rows}×{cols} entries.");
        LayerInputValidation.Check(w0, h, rows, cols, settings);
        TorchRuntime.Initialize();
        var device = TorchLayer.ParseDevice(settings.Device);
        using var scope = NewDisposeScope();
        var tw0 = TorchLayer.View(w0, rows, cols, device);
        var th = TorchLayer.View(h, cols, cols, device);
        var tw = TorchLayer.View(weights, rows, cols, device);
        var tm = TorchLayer.FromMask(mask, rows, cols, device);
        return TorchLayer.ToFloats(Run(tw0, th, tw, tm, settings, progress, ct));
    }
}
