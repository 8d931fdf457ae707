using PrunePipeline.Pruning.Prox;
using static TorchSharp.torch;

namespace PrunePipeline.Pruning;

/// <summary>
/// Matrix Prox Pruner (algorithm.md §4) in the rescaled space, steps 1–5, on torch tensors of any device: returns the
/// rescaled iterate V (not yet masked), the mask (top-2 |V| per group, dead inputs pruned first) and the run statistics.
/// Shapes: W₀ m×n, H n×n. Per iteration: one GEMM U ← −η·V·Ĥ + U (U preloaded with V + η·V₀Ĥ by the previous fused
/// prox pass), then one fused pass V = prox_{ηλ}(U), U = V + η·V₀Ĥ that also counts the groups still denser than 2:4.
/// On the CPU the fused pass is the C# SIMD kernel on the tensors' memory; no allocation inside the loop.
/// </summary>
internal static class MatrixProxPruner
{
    internal sealed record State(Tensor V, Tensor Mask, RescaledLayer Space, int Iterations, double FinalLambda, bool HitMax,
        TimeSpan LoopTime) : IDisposable
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
        // 1. Rescale (dead inputs: d_j = 1, zero row/column in Ĥ); 2. step size.
        var space = RescaledLayer.Create(w0, h);
        var l = TorchSpectral.LargestEigenvalue(space.HHat);
        var eta = (float)(1 / l);

        // 3. V = V₀ with dead columns already pruned (their gradient is 0, so they stay 0); U = V + η·V₀Ĥ.
        var v = space.V0 * space.Live;
        using var g0 = space.V0.mm(space.HHat);
        using var u = v + g0 * eta;

        // 4. Iterate.
        var options = settings.Prox ?? Prox24Options.Default;
        var lambda = settings.Lambda0;
        var iterations = 0;
        var hitMax = true;
        var finalLambda = lambda;
        var loopClock = System.Diagnostics.Stopwatch.StartNew();
        for (var k = 0; k < settings.MaxIters; k++)
        {
            ct.ThrowIfCancellationRequested();
            u.addmm_(v, space.HHat, beta: 1f, alpha: -eta);
            var t = settings.ScaleLambdaByStep ? eta * lambda : lambda;
            var denseGroups = Prox24.ApplyFused(u, v, g0, eta, (float)t, options, settings.ParallelProx);
            iterations = k + 1;
            finalLambda = lambda;
            if (progress is not null && (k % 10 == 0 || denseGroups == 0))
                progress(new PruneProgress("prox", k + 1, settings.MaxIters, lambda, denseGroups));
            if (denseGroups == 0) { hitMax = false; break; }
            lambda *= settings.Beta;
        }
        loopClock.Stop();

        // 5. Exact 2:4 mask: top-2 |V| per group, dead inputs scoring below every live one.
        using var score = where(space.Live.to(ScalarType.Bool), v.abs(), tensor(-1f, device: v.device));
        var mask = TorchMasks.KeepTopNPerGroup(score, 2, 4);
        return new State(v, mask, space, iterations, finalLambda, hitMax, loopClock.Elapsed);
    }
}
