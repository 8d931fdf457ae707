using PrunePipeline.Model;
using PrunePipeline.Workflow.Hessians;
using PrunePipeline.Workflow.Stages;

namespace PrunePipeline.Workflow.Tests;

public class BlockCalibratorTests
{
    [Fact]
    public void CaptureLeavesInputsAloneAndOnePassEqualsTwo()
    {
        using var model = LlamaModel.Open(TestData.SyntheticModel(3));
        var config = model.Config;
        var rng = new Random(9);
        var samples = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 16).Select(_ => rng.Next(config.VocabSize)).ToArray()).ToList();
        var a = BlockCalibrator.Embed(model.ReadTensor(LlamaTensorNames.Embedding), config, samples);
        var b = a.Select(x => (float[])x.Clone()).ToList();
        var block = model.LoadBlock(0);

        var h1 = BlockCalibrator.CaptureHessians(block, config, a, 16);
        Assert.Equal(b, a); // inputs unchanged
        BlockCalibrator.Forward(block, config, a, 16);
        var h2 = BlockCalibrator.CaptureAndForward(block, config, b, 16);
        Assert.Equal(a, b); // same outputs
        foreach (var name in new[] { "attn_in", "o_in", "mlp_in", "down_in" })
        {
            Assert.Equal(h1.ByInput[name].Values, h2.ByInput[name].Values);
            Assert.Equal(3 * 16, h1.ByInput[name].Tokens);
        }
        Assert.Equal(config.IntermediateSize, h1.ByInput["down_in"].N);
        Assert.Equal(config.QueryDim, h1.ByInput["o_in"].N);
    }

    [Fact]
    public void EachHessianIsReleasedAfterItsLastReaderOnly()
    {
        var h = new BlockHessians(new[] { "attn_in", "o_in", "mlp_in", "down_in" }
            .ToDictionary(n => n, n => new LayerHessian(n, 1, 1, [1f])));
        var stillHeld = new List<string>();
        foreach (var linear in DecoderBlockWeights.LinearNames)
        {
            _ = h.ForLinear(linear); // every linear still finds its H when its turn comes
            h.ReleaseAfter(linear);
            stillHeld.Add(string.Join(",", h.ByInput.Keys.Order()));
        }
        Assert.Equal(
            [
                "attn_in,down_in,mlp_in,o_in", // after q: k and v still read attn_in
                "attn_in,down_in,mlp_in,o_in", // after k
                "down_in,mlp_in,o_in",         // after v
                "down_in,mlp_in",              // after o
                "down_in,mlp_in",              // after gate: up still reads mlp_in
                "down_in",                     // after up
                "",                            // after down
            ], stillHeld);
    }

    [Fact]
    public void HessianOfAttnInIsMeanOfNormedInputsOuterProducts()
    {
        using var model = LlamaModel.Open(TestData.SyntheticModel(4));
        var config = model.Config;
        var samples = new List<int[]> { Enumerable.Range(1, 8).ToArray(), Enumerable.Range(100, 8).ToArray() };
        var x = BlockCalibrator.Embed(model.ReadTensor(LlamaTensorNames.Embedding), config, samples);
        var block = model.LoadBlock(0);
        var h = BlockCalibrator.CaptureHessians(block, config, x, 8).ByInput["attn_in"];
        // Naive twin: RMSNorm each token, then (1/N) Σ n nᵀ.
        var d = config.HiddenSize;
        var naive = new double[d * d];
        foreach (var s in x)
            for (var t = 0; t < 8; t++)
            {
                double ms = 0;
                for (var i = 0; i < d; i++) ms += (double)s[t * d + i] * s[t * d + i];
                var inv = 1 / Math.Sqrt(ms / d + config.RmsNormEps);
                var n = Enumerable.Range(0, d).Select(i => s[t * d + i] * inv * block.InputLayerNorm[i]).ToArray();
                for (var i = 0; i < d; i++)
                    for (var j = 0; j < d; j++) naive[i * d + j] += n[i] * n[j] / 16.0;
            }
        for (var i = 0; i < d * d; i++) Assert.True(Math.Abs(h.Values[i] - naive[i]) < 1e-4 * (1 + Math.Abs(naive[i])), $"entry {i}: {h.Values[i]} vs {naive[i]}");
    }
}
