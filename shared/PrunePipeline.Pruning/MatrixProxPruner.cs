using PrunePipeline.Pruning.Prox;
using static TorchSharp.torch;

namespace PrunePipeline.Pruning;

/// <summary>
/// Matrix Prox Pruner (algorithm.md §4) in the rescaled space, steps 1–5, on torch tensors of any device: returns the
/// rescaled iterate V (not yet masked), the mask (top-2 |V| per group, dead inputs pruned first) and the run statistics.
/// Shapes: W₀ m×n, H n×n. Per iteration: one GEMM U ← −η·V·Ĥ + U (U preloaded with V + η·V₀Ĥ by the previous fused
/// prox pass), then one fused pass V = prox_{ηλ}(U), U = V + η·V₀Ĥ that also counts the groups still denser than 2:4.
/// On the CPU the fused pass is the C# SIMD kernel on the tensors' memory. <see cref="ProxSchedule.Adaptive"/> runs the
/// same step on the rows not yet 2:4 only (compacted copies of V, U and V₀Ĥ), with an adaptive λ.
/// </summary>
internal static class MatrixProxPruner
{
    internal sealed record State(Tensor V, Tensor Mask, RescaledLayer Space, int Iterations, double FinalLambda, bool HitMax,
        TimeSpan LoopTime, double GemmEquivalents) : IDisposable
    {
        public void Dispose()
        {
            V.Dispose();
            Mask.Dispose();
            Space.Dispose();
        }
    }

    public static State Run(Tensor w0, Tensor h, LayerPruneSettings settings, Action<PruneProgress>? progress, CancellationToken ct)
    {
        var m = w0.shape[0];
        // 1. Rescale (dead inputs: d_j = 1, zero row/column in Ĥ); 2. step size.
        var space = RescaledLayer.Create(w0, h);
        var l = TorchSpectral.LargestEigenvalue(space.HHat);
        var eta = (float)(1 / l);
        var adaptive = settings.Schedule == ProxSchedule.Adaptive;

        // 3. V = V₀ with dead columns already pruned (their gradient is 0, so they stay 0); U = V + η·V₀Ĥ.
        Tensor v, g0;
        using (var v0 = space.TakeV0())
        {
            v = v0 * space.Live;
            g0 = v0.mm(space.HHat);
        }
        var u = (g0 * eta).add_(v); // = v + η·g0 bit for bit, without a second W-sized temporary
        double gemms = 1; // V₀Ĥ

        // 4. Iterate.
        var options = settings.Prox ?? Prox24Options.Default;
        var lambda = adaptive ? StartLambda(v, eta, settings) : settings.Lambda0;
        var iterations = 0;
        var hitMax = true;
        var finalLambda = lambda;
        Tensor? active = null; // adaptive: indices of the rows still iterated (null = all)
        Tensor va = v, ua = u, ga = g0;
        // Momentum (adaptive schedule): the gradient step is taken at y = V + γ·(V − V_prev) instead of V.
        var gamma = adaptive ? (float)settings.Momentum : 0f;
        Tensor? pa = gamma > 0 ? v.clone() : null, ya = null;
        long lastDense = -1;
        var loopClock = System.Diagnostics.Stopwatch.StartNew();
        for (var k = 0; k < settings.MaxIters; k++)
        {
            ct.ThrowIfCancellationRequested();
            if (adaptive && settings.ActiveRows && k > 0 && k % settings.CompactEvery == 0)
                (active, va, ua, ga, pa, ya) = Compact(v, active, va, ua, ga, pa, ya);
            ua.addmm_(ya ?? va, space.HHat, beta: 1f, alpha: -eta);
            gemms += (double)va.shape[0] / m;
            var t = settings.ScaleLambdaByStep ? eta * lambda : lambda;
            var denseGroups = Prox24.ApplyFused(ua, va, ga, eta, (float)t, options, settings.ParallelProx);
            iterations = k + 1;
            finalLambda = lambda;
            if (progress is not null && (k % 10 == 0 || denseGroups == 0))
                progress(new PruneProgress("prox", k + 1, settings.MaxIters, lambda, denseGroups));
            if (denseGroups == 0) { hitMax = false; break; }
            if (pa is not null)
            {
                // U already holds V + η·V₀Ĥ; the step at y needs y + η·V₀Ĥ: add γ·(V − V_prev) to both. The loop runs
                // inside the caller's dispose scope, so temporaries are disposed here and y is reused: otherwise every
                // iteration would leave an m×n tensor alive until the layer ends (4 GB at n = 2048).
                using var d = va - pa;
                using var step = d * gamma;
                pa.copy_(va);
                if (ya is null) ya = va + step;
                else ya.copy_(va).add_(step);
                ua.add_(d, alpha: gamma);
            }
            // Fast growth only while no support changes at all (plateaus); wherever supports are being decided λ grows at
            // AdaptiveBeta (measured: growing fast whenever fewer than 0.5 % of the dense groups changed cost 5 % more
            // loss). The paper's schedule grows at β throughout.
            var fast = adaptive && lastDense >= 0 && denseGroups >= lastDense;
            lambda *= !adaptive ? settings.Beta : fast ? Math.Max(settings.FastBeta, settings.AdaptiveBeta) : settings.AdaptiveBeta;
            lastDense = denseGroups;
        }
        ya?.Dispose();
        if (pa is not null && !ReferenceEquals(pa, v)) pa.Dispose();
        if (active is not null)
        {
            v.index_copy_(0, active, va);
            foreach (var t in new[] { va, ua, ga, active }) t.Dispose();
        }
        loopClock.Stop();
        u.Dispose();
        g0.Dispose();

        // 5. Exact 2:4 mask: top-2 |V| per group, dead inputs scoring below every live one.
        using var live = space.Live.to(ScalarType.Bool);
        using var below = tensor(-1f, device: v.device);
        var mask = TorchMasks.ByRowChunks(v.shape[0], v.shape[1], v.device, TorchMasks.ChunkElements,
            (r0, r) => TorchMasks.KeepTopNPerGroup(where(live, v.narrow(0, r0, r).abs(), below), 2, 4));
        return new State(v, mask, space, iterations, finalLambda, hitMax, loopClock.Elapsed, gemms);
    }

    /// <summary>
    /// Adaptive start: <see cref="LayerPruneSettings.StartDivisor"/> below the λ at which the first 0.1 % of V₀'s groups
    /// become 2-sparse under §3's threshold t ≥ y3/(y1·y2) (y sorted magnitudes, t = η·λ), never below λ0. Far below
    /// it the prox changes no support; the divisor leaves the iterate room to follow the regularisation path (starting
    /// right at the threshold cost 6 % more loss on a random 256×256 layer).
    /// </summary>
    private static double StartLambda(Tensor v, float eta, LayerPruneSettings settings)
    {
        using var scope = NewDisposeScope();
        var (y, _) = v.reshape(-1, 4).abs().sort(1, descending: true);
        var y1 = y.select(1, 0);
        var y2 = y.select(1, 1);
        var y3 = y.select(1, 2);
        var live = y3 > 0;
        if (!live.any().item<bool>()) return settings.Lambda0;
        var threshold = (y3 / (y1 * y2)).masked_select(live);
        var k = Math.Max(1, (long)(threshold.numel() * 0.001));
        var t = threshold.kthvalue(k, 0, false).values.item<float>();
        var lambda = (settings.ScaleLambdaByStep ? t / eta : t) / settings.StartDivisor;
        return double.IsFinite(lambda) ? Math.Max(settings.Lambda0, lambda) : settings.Lambda0;
    }

    /// <summary>Writes the active rows back, then keeps only the rows that still have a group denser than 2:4
    /// (compacted, contiguous copies of V, U, V₀Ĥ and, with momentum, V_prev and y). Unchanged when no row finished.</summary>
    private static (Tensor? Active, Tensor Va, Tensor Ua, Tensor Ga, Tensor? Pa, Tensor? Ya) Compact(Tensor v, Tensor? active,
        Tensor va, Tensor ua, Tensor ga, Tensor? pa, Tensor? ya)
    {
        using var scope = NewDisposeScope();
        var n = va.shape[1];
        var rowDense = ((va != 0).reshape(va.shape[0], n / 4, 4).sum(2) > 2).sum(1) > 0;
        var stillActive = rowDense.sum().item<long>();
        if (stillActive == va.shape[0] || stillActive == 0) return (active, va, ua, ga, pa, ya);
        var keep = rowDense.nonzero().reshape(-1);
        var newActive = active is null ? keep : active.index_select(0, keep);
        // Rows leaving keep their current iterate in the full V (before the first compaction V is the working set).
        if (active is not null) v.index_copy_(0, active, va);
        var nva = va.index_select(0, keep).contiguous();
        var nua = ua.index_select(0, keep).contiguous();
        var nga = ga.index_select(0, keep).contiguous();
        var npa = pa?.index_select(0, keep).contiguous();
        var nya = ya?.index_select(0, keep).contiguous();
        if (active is not null)
            foreach (var t in new[] { va, ua, ga, active }) t.Dispose();
        pa?.Dispose();
        ya?.Dispose();
        return (newActive.MoveToOuterDisposeScope(), nva.MoveToOuterDisposeScope(), nua.MoveToOuterDisposeScope(),
            nga.MoveToOuterDisposeScope(), npa?.MoveToOuterDisposeScope(), nya?.MoveToOuterDisposeScope());
    }
}
