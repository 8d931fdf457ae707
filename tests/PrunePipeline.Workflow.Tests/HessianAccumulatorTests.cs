using PrunePipeline.Workflow.Hessians;

namespace PrunePipeline.Workflow.Tests;

public class HessianAccumulatorTests
{
    [Theory]
    [InlineData(1, 4)]
    [InlineData(7, 13)]
    [InlineData(64, 33)]
    public void MatchesNaiveMeanOuterProducts(int rowsPerChunk, int n)
    {
        var rng = new Random(n * 31 + rowsPerChunk);
        var acc = new HessianAccumulator();
        var naive = new double[n * n];
        long tokens = 0;
        for (var chunk = 0; chunk < 5; chunk++)
        {
            var x = TestData.RandomArray(rng, (long)rowsPerChunk * n, 3);
            acc.Observe("attn_in", x, rowsPerChunk, n);
            for (var r = 0; r < rowsPerChunk; r++)
                for (var i = 0; i < n; i++)
                    for (var j = 0; j < n; j++)
                        naive[i * n + j] += (double)x[r * n + i] * x[r * n + j];
            tokens += rowsPerChunk;
        }
        var h = acc.Finish().ByInput["attn_in"];
        Assert.Equal(tokens, h.Tokens);
        Assert.Equal(n, h.N);
        double maxRef = naive.Max(Math.Abs) / tokens, maxDiff = 0;
        for (var i = 0; i < n * n; i++) maxDiff = Math.Max(maxDiff, Math.Abs(h.Values[i] - naive[i] / tokens));
        Assert.True(maxDiff <= 1e-5 * maxRef, $"max diff {maxDiff} vs scale {maxRef}");
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
                Assert.Equal(h.Values[i * n + j], h.Values[j * n + i]);
    }

    [Fact]
    public void KeepsInputsApartAndRejectsWidthChange()
    {
        var acc = new HessianAccumulator();
        acc.Observe("attn_in", new float[] { 1, 2, 3, 4 }, 1, 4);
        acc.Observe("down_in", new float[] { 2, 0, 0, 0, 0, 0, 0, 0 }, 1, 8);
        var e = Assert.Throws<ArgumentException>(() => acc.Observe("attn_in", new float[8], 1, 8));
        Assert.Contains("attn_in", e.Message);
        var hs = acc.Finish();
        Assert.Equal(16f, hs.ByInput["attn_in"].Values[15]);
        Assert.Equal(4f, hs.ByInput["down_in"].Values[0]);
        Assert.Equal(8, hs.ByInput["down_in"].N);
        Assert.Same(hs.ByInput["attn_in"], hs.ForLinear("self_attn.v_proj"));
        Assert.Same(hs.ByInput["down_in"], hs.ForLinear("mlp.down_proj"));
        Assert.Throws<InvalidOperationException>(() => hs.ForLinear("mlp.up_proj"));
    }
}
