using PrunePipeline.Pruning.Prox;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunePipeline.Pruning.Tests;

/// <summary>The torch engine: the device-agnostic prox24 against the brute force, the SIMD kernel on a tensor's own
/// memory, and bit-identical results for equal inputs.</summary>
public class TorchEngineTests
{
    [Fact]
    public void TorchProxMatchesIndependentBruteForce()
    {
        var (z, t) = Prox24Tests.RandomGroups(1500, 3);
        using var zt = tensor(z);
        using var x = zeros_like(zt);
        using var tt = tensor(t);
        var dense = Prox24Torch.ApplyPerGroup(zt, x, tt, Prox24Options.Default);
        var xs = x.data<float>().ToArray();
        var misses = 0;
        long denseCount = 0;
        for (var g = 0; g < t.Length; g++)
        {
            var zg = z.AsSpan(4 * g, 4);
            var xg = xs.AsSpan(4 * g, 4);
            var a = new double[4];
            double norm = 1e-30;
            for (var i = 0; i < 4; i++) { a[i] = Math.Abs((double)zg[i]); norm += a[i] * a[i]; }
            var brute = ProxBruteForce.MinObjective(a, t[g]);
            var gap = (Prox24Tests.ObjectiveOf(xg, zg, t[g]) - brute) / norm;
            var sorted = a.OrderDescending().ToArray();
            var nearTie = Enumerable.Range(0, 3).Any(i => sorted[i + 1] > 0 && sorted[i] - sorted[i + 1] <= 0.01 * sorted[i]);
            if (gap > 2e-6) misses++;
            Assert.True(gap <= (nearTie ? 1e-3 : 2e-6), $"group {g}: torch prox objective above brute force by {gap:G3} (relative)");
            for (var i = 0; i < 4; i++) Assert.True(xg[i] == 0 || Math.Sign(xg[i]) == Math.Sign(zg[i]), "sign must be kept");
            if (xg.ToArray().Count(v => v != 0) > 2) denseCount++;
        }
        Assert.True(misses <= t.Length / 200, $"{misses} of {t.Length} groups above brute force");
        Assert.Equal(denseCount, dense);
    }

    [Fact]
    public void TorchProxAgreesWithTheSimdKernelOnAMatrix()
    {
        var (z, _) = Prox24Tests.RandomGroups(2048, 4);
        var rng = new Random(5);
        for (var i = 0; i < z.Length; i++) z[i] = (float)(rng.NextDouble() * 2 - 1);
        foreach (var t in new[] { 0f, 0.3f, 1.5f, 20f })
        {
            var simd = new float[z.Length];
            var simdDense = Prox24.Apply(z, simd, t);
            using var zt = tensor(z).reshape(64, 128);
            using var xt = zeros_like(zt);
            var torchDense = Prox24Torch.Apply(zt, xt, t);
            var xs = xt.data<float>().ToArray();
            Assert.Equal(simdDense, torchDense);
            for (var i = 0; i < z.Length; i++) Assert.True(Math.Abs(xs[i] - simd[i]) <= 1e-4, $"t = {t}, entry {i}: torch {xs[i]} vs simd {simd[i]}");
        }
    }

    [Fact]
    public void SimdKernelWorksInPlaceOnTheTensorsMemory()
    {
        var (z, _) = Prox24Tests.RandomGroups(1000, 6);
        using var zt = tensor(z).reshape(40, 100);
        using var xt = zeros(40, 100);
        Assert.True(Prox24.UsesSimdKernel(zt, xt));
        var expected = new float[z.Length];
        var expectedDense = Prox24.Apply(z, expected, 0.7f);
        var dense = Prox24.Apply(zt, xt, 0.7f);
        Assert.Equal(expectedDense, dense);
        Assert.Equal(expected, xt.data<float>().ToArray()); // the kernel wrote straight into the tensor
        // The span view is the tensor's storage: a write through it is seen by torch.
        TorchLayer.Floats(xt)[123] = 42f;
        Assert.Equal(42f, xt[1, 23].item<float>());
    }

    [Theory]
    [InlineData(PruneMethod.Prox)]
    [InlineData(PruneMethod.SparseGpt)]
    [InlineData(PruneMethod.Wanda)]
    public void EqualInputsGiveBitIdenticalMasksAndWeights(PruneMethod method)
    {
        var (w0, h) = ToyProblems.Make(24, 64, 300, 17);
        var settings = new LayerPruneSettings(method, Refine: RefineMode.Gd, RefineSteps: 30, MaxIters: 300);
        var a = LayerPruner.Run(w0, h, 24, 64, settings);
        var b = LayerPruner.Run(w0, h, 24, 64, settings);
        Assert.Equal(a.Mask, b.Mask);
        Assert.Equal(a.Weights, b.Weights);
        Assert.Equal(a.LossAfterRefine, b.LossAfterRefine);
        Assert.Equal("cpu", a.Device);
    }

    [Fact]
    public void TensorAndSpanEntryPointsAgree()
    {
        var (w0, h) = ToyProblems.Make(16, 32, 200, 8);
        var settings = new LayerPruneSettings(PruneMethod.Prox, RefineSteps: 20, MaxIters: 400);
        var fromSpans = LayerPruner.Run(w0, h, 16, 32, settings);
        using var tw = tensor(w0).reshape(16, 32);
        using var th = tensor(h).reshape(32, 32);
        var fromTensors = LayerPruner.Run(tw, th, settings);
        Assert.Equal(fromSpans.Weights, fromTensors.Weights);
        Assert.Equal(fromSpans.Mask, fromTensors.Mask);
    }

    [Fact]
    public void TensorInputsAreValidatedWithNamedPositions()
    {
        var (w0, h) = ToyProblems.Make(4, 8, 50, 2);
        w0[13] = float.NaN;
        using var tw = tensor(w0).reshape(4, 8);
        using var th = tensor(h).reshape(8, 8);
        var e = Assert.Throws<ArgumentException>(() => LayerPruner.Run(tw, th, new LayerPruneSettings(PruneMethod.Wanda)));
        Assert.Contains("row 1, column 5", e.Message);
        using var wide = zeros(4, 12);
        Assert.Throws<ArgumentException>(() => LayerPruner.Run(wide, th, new LayerPruneSettings(PruneMethod.Wanda)));
    }

    [Theory]
    [InlineData("2:4", 8)]
    [InlineData("1:4", 16)]
    [InlineData("unstructured:0.5", 8)]
    public void SparseGptTorchSweepMatchesTheCpuSweep(string pattern, int block)
    {
        // The torch column sweep is what runs on a GPU; the C# row sweep is tested against the double reference in
        // SparseGptTests, so equal masks here tie the torch sweep to that reference too.
        var (w0, h) = ToyProblems.Make(9, 32, 400, 23);
        for (var j = 0; j < 32; j++) { h[5 * 32 + j] = 0; h[j * 32 + 5] = 0; }
        var p = SparsityPattern.Parse(pattern);
        using var th = tensor(h).reshape(32, 32);
        using var cpuW = tensor(w0).reshape(9, 32);
        using var torchW = tensor(w0).reshape(9, 32);
        var (cpuMask, _) = SparseGpt.Run(cpuW, th, p, 0.01, 3, block, default);
        var (torchMask, _) = SparseGpt.Run(torchW, th, p, 0.01, 3, block, default, forceTorch: true);
        Assert.Equal(cpuMask.data<byte>().ToArray(), torchMask.data<byte>().ToArray());
        Assert.True((cpuW - torchW).abs().max().item<float>() <= 1e-4f * cpuW.abs().max().item<float>());
    }
}
