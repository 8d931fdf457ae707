
namespace PrunePipeline.Pruning.Tests;

public class SparseGptTests
{
    /// <summary>
    /// Unblocked reference in double: after each column, the error is pushed onto all later columns at once
    /// (no lazy block update). N:M selection at i mod M = 0; unstructured selection per block of the same size at
    /// the block's start (that choice is part of the method, not of the blocking).
    /// </summary>
    private static (double[] W, byte[] Mask) Naive(float[] w0, float[] h, int rows, int n, SparsityPattern p, int block)
    {
        var hd = h.Select(v => (double)v).ToArray();
        var w = w0.Select(v => (double)v).ToArray();
        for (var j = 0; j < n; j++)
            if (!(hd[j * n + j] > 0)) { hd[j * n + j] = 1; for (var r = 0; r < rows; r++) w[r * n + j] = 0; }
        var mean = Enumerable.Range(0, n).Average(j => hd[j * n + j]);
        for (var j = 0; j < n; j++) hd[j * n + j] += 0.01 * mean;
        var inv = new double[n * n];
        NaiveBlas.Inverse(hd, inv, n);
        var u = new double[n * n];
        Assert.True(NaiveBlas.CholeskyUpper(inv, u, n));
        var mask = Enumerable.Repeat((byte)1, rows * n).ToArray();
        for (var i = 0; i < n; i++)
        {
            if (p.IsUnstructured && i % block == 0)
            {
                var count = Math.Min(block, n - i);
                var scores = new List<(double S, int R, int C)>();
                for (var r = 0; r < rows; r++)
                    for (var c = i; c < i + count; c++) scores.Add((w[r * n + c] * w[r * n + c] / (u[c * n + c] * u[c * n + c]), r, c));
                var prune = (int)Math.Round(p.UnstructuredRatio!.Value * rows * count);
                foreach (var s in scores.OrderBy(s => (float)s.S).ThenBy(s => (s.R * count) + s.C - i).Take(prune)) mask[s.R * n + s.C] = 0;
            }
            for (var r = 0; r < rows; r++)
            {
                if (!p.IsUnstructured && i % p.M == 0)
                {
                    var order = Enumerable.Range(i, p.M)
                        .OrderByDescending(c => (float)(w[r * n + c] * w[r * n + c] / (u[c * n + c] * u[c * n + c]))).ThenBy(c => c).ToArray();
                    for (var k = 0; k < p.M; k++) mask[r * n + order[k]] = (byte)(k < p.N ? 1 : 0);
                }
                var q = mask[r * n + i] != 0 ? w[r * n + i] : 0;
                var e = (w[r * n + i] - q) / u[i * n + i];
                w[r * n + i] = q;
                for (var j = i + 1; j < n; j++) w[r * n + j] -= e * u[i * n + j];
            }
        }
        return (w, mask);
    }

    [Theory]
    [InlineData("2:4", 8)]
    [InlineData("2:4", 128)]
    [InlineData("1:4", 16)]
    [InlineData("unstructured:0.5", 8)]
    public void BlockedLazyMatchesUnblockedReference(string pattern, int block)
    {
        const int rows = 7, n = 32;
        var (w0, h) = ToyProblems.Make(rows, n, 500, 21);
        // One dead input.
        for (var j = 0; j < n; j++) { h[3 * n + j] = 0; h[j * n + 3] = 0; }
        var p = SparsityPattern.Parse(pattern);
        var result = LayerPruner.Run(w0, h, rows, n, new LayerPruneSettings(PruneMethod.SparseGpt, p, BlockSize: block));
        var (wr, mr) = Naive(w0, h, rows, n, p, block);
        var mismatches = result.Mask.Where((b, i) => b != mr[i]).Count();
        Assert.True(mismatches == 0, $"{mismatches} mask entries differ");
        var scale = wr.Max(Math.Abs);
        for (var i = 0; i < wr.Length; i++)
            Assert.True(Math.Abs(result.Weights[i] - wr[i]) <= 2e-3 * scale, $"weight {i}: {result.Weights[i]} vs {wr[i]}");
        Assert.Equal(0.01, result.DampingUsed);
        Assert.True(result.LossBeforeRefine < LayerPruner.Run(w0, h, rows, n,
            new LayerPruneSettings(PruneMethod.Magnitude, p)).LossBeforeRefine);
    }
}
