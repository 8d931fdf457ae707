using PrunePipeline.Numerics;
using PrunePipeline.Pruning.Prox;

namespace PrunePipeline.Pruning;

/// <summary>
/// Matrix Prox Pruner (algorithm.md §4) in the rescaled space, steps 1–5: returns the rescaled iterate V (not yet
/// masked), the mask (top-2 |V| per group, dead inputs pruned first), V₀, Ĥ, L and the run statistics.
/// Shapes: W₀ m×n, H n×n, V/V₀ m×n, Ĥ n×n. Per iteration: one sgemm U ← −η·V·Ĥ + U (U preloaded with V + η·V₀Ĥ by
/// the previous fused prox pass), then one fused pass V = prox_{ηλ}(U), U = V + η·V₀Ĥ that also counts the groups
/// still denser than 2:4. No allocation inside the loop.
/// </summary>
internal static class MatrixProxPruner
{
    internal sealed record State(float[] V, float[] V0, float[] HHat, float[] D, bool[] Dead, byte[] Mask, double L,
        int Iterations, double FinalLambda, bool HitMax, TimeSpan LoopTime);

    public static State Run(ReadOnlySpan<float> w0, ReadOnlySpan<float> h, int m, int n, LayerPruneSettings settings,
        Action<PruneProgress>? progress, CancellationToken ct)
    {
        // 1. Rescale: d_j = sqrt(H_jj), dead inputs (H_jj ≤ 0) get d_j = 1 and a zero row/column in Ĥ.
        var d = new float[n];
        var dead = new bool[n];
        for (var j = 0; j < n; j++)
        {
            var hjj = h[j * n + j];
            dead[j] = !(hjj > 0);
            d[j] = dead[j] ? 1f : MathF.Sqrt(hjj);
        }
        var hHat = new float[n * n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
                hHat[i * n + j] = dead[i] || dead[j] ? 0f : h[i * n + j] / (d[i] * d[j]);
        var v0 = new float[m * n];
        for (var r = 0; r < m; r++)
            for (var j = 0; j < n; j++)
                v0[r * n + j] = w0[r * n + j] * d[j];

        // 2. Step size.
        var l = Spectral.LargestEigenvalue(hHat, n);
        var eta = (float)(1 / l);

        // 3. V = V₀ with dead columns already pruned (their gradient is 0, so they stay 0); U = V + η·V₀Ĥ.
        var v = (float[])v0.Clone();
        for (var r = 0; r < m; r++)
            for (var j = 0; j < n; j++)
                if (dead[j]) v[r * n + j] = 0;
        var g0 = new float[m * n];
        Blas.Sgemm(v0, false, hHat, false, g0, m, n, n);
        var u = new float[m * n];
        for (var i = 0; i < u.Length; i++) u[i] = v[i] + eta * g0[i];

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
            Blas.Sgemm(v, false, hHat, false, u, m, n, n, -eta, 1f);
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
        var score = new float[m * n];
        for (var r = 0; r < m; r++)
            for (var j = 0; j < n; j++)
                score[r * n + j] = dead[j] ? -1f : Math.Abs(v[r * n + j]);
        var mask = new byte[m * n];
        PruneMasks.KeepTopNPerGroup(score, mask, m, n, 2, 4);
        return new State(v, v0, hHat, d, dead, mask, l, iterations, finalLambda, hitMax, loopClock.Elapsed);
    }
}
