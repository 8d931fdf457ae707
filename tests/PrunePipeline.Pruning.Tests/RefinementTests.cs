namespace PrunePipeline.Pruning.Tests;

public class RefinementTests
{
    private static (float[] W0, float[] H, byte[] Mask) Problem(int rows, int cols, int seed)
    {
        var (w0, h) = ToyProblems.Make(rows, cols, 400, seed, mixing: 0.3);
        var mask = LayerPruner.BaselineMask(w0, h, rows, cols, SparsityPattern.TwoFour, PruneMethod.Magnitude);
        return (w0, h, mask);
    }

    [Fact]
    public void ExactMatchesClosedFormPerRow()
    {
        const int rows = 5, cols = 16;
        var (w0, h, mask) = Problem(rows, cols, 31);
        var w = w0.Select((v, i) => mask[i] != 0 ? v : 0f).ToArray();
        Refinement.Exact(w0, h, w, mask, rows, cols);
        for (var r = 0; r < rows; r++)
        {
            var s = Enumerable.Range(0, cols).Where(j => mask[r * cols + j] != 0).ToArray();
            var optimum = ToyProblems.RefitLoss(w0, h, r, cols, s);
            var mine = LocalLoss.ComputeNaive(w.AsSpan(r * cols, cols), w0.AsSpan(r * cols, cols), h, 1, cols);
            Assert.True(Math.Abs(mine - optimum) <= 1e-4 * Math.Abs(optimum) + 1e-7, $"row {r}: {mine} vs optimum {optimum}");
            // Stationarity on S: (H(w − w₀))_S = 0.
            for (var a = 0; a < s.Length; a++)
            {
                double g = 0;
                for (var j = 0; j < cols; j++) g += h[s[a] * cols + j] * ((double)w[r * cols + j] - w0[r * cols + j]);
                Assert.True(Math.Abs(g) < 1e-3, $"row {r} gradient {g}");
            }
        }
    }

    [Fact]
    public void GdConvergesToTheExactOptimumAndNeverRises()
    {
        const int rows = 4, cols = 12;
        var (w0, h, mask) = Problem(rows, cols, 32);
        var exact = w0.Select((v, i) => mask[i] != 0 ? v : 0f).ToArray();
        Refinement.Exact(w0, h, exact, mask, rows, cols);
        var w = w0.Select((v, i) => mask[i] != 0 ? v : 0f).ToArray();
        var previous = LocalLoss.Compute(w, w0, h, rows, cols);
        for (var chunk = 0; chunk < 40; chunk++)
        {
            Refinement.Gd(w0, h, w, mask, rows, cols, steps: 50);
            var loss = LocalLoss.Compute(w, w0, h, rows, cols);
            Assert.True(loss <= previous * (1 + 1e-6) + 1e-9, $"loss rose {previous} → {loss}");
            previous = loss;
        }
        var target = LocalLoss.Compute(exact, w0, h, rows, cols);
        Assert.True(previous <= target * 1.001 + 1e-7, $"GD {previous} vs exact {target}");
        for (var i = 0; i < w.Length; i++) if (mask[i] == 0) Assert.Equal(0f, w[i]);
    }

    [Fact]
    public void CgReachesTheExactOptimumInFewStepsAndStopsPerRow()
    {
        const int rows = 6, cols = 24;
        var (w0, h, mask) = Problem(rows, cols, 33);
        var exact = w0.Select((v, i) => mask[i] != 0 ? v : 0f).ToArray();
        Refinement.Exact(w0, h, exact, mask, rows, cols);
        var start = w0.Select((v, i) => mask[i] != 0 ? v : 0f).ToArray();
        using var tw0 = TorchSharp.torch.tensor(w0).reshape(rows, cols);
        using var th = TorchSharp.torch.tensor(h).reshape(cols, cols);
        using var tw = TorchSharp.torch.tensor(start).reshape(rows, cols);
        using var tm = TorchSharp.torch.tensor(mask).reshape(rows, cols);
        var gemms = Refinement.Cg(tw0, th, tw, tm, maxSteps: 100, tolerance: 1e-5);
        var w = tw.data<float>().ToArray();
        var target = LocalLoss.Compute(exact, w0, h, rows, cols);
        var loss = LocalLoss.Compute(w, w0, h, rows, cols);
        Assert.True(loss <= target * (1 + 1e-4) + 1e-7, $"CG {loss} vs exact {target}");
        // In exact arithmetic CG finishes within |S| = cols/2 steps; fp32 may need a few more, never 1000.
        Assert.True(gemms <= cols / 2 + 10, $"{gemms} GEMMs");
        for (var i = 0; i < w.Length; i++) if (mask[i] == 0) Assert.Equal(0f, w[i]);
    }
}
