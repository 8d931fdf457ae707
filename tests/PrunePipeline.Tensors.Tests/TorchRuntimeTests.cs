using PrunePipeline.Tensors;
using TorchSharp;

namespace PrunePipeline.Tensors.Tests;

public class TorchRuntimeTests
{
    [Fact]
    public void TorchLoadsAndMultipliesMatricesLikeANaiveLoop()
    {
        TorchRuntime.Initialize();
        const int m = 37, k = 53, n = 29;
        var random = new Random(7);
        var a = new float[m * k];
        var b = new float[k * n];
        for (var i = 0; i < a.Length; i++) a[i] = (float)(random.NextDouble() * 2 - 1);
        for (var i = 0; i < b.Length; i++) b[i] = (float)(random.NextDouble() * 2 - 1);

        using var product = torch.matmul(torch.tensor(a, [m, k]), torch.tensor(b, [k, n]));
        var got = product.data<float>().ToArray();

        for (var i = 0; i < m; i++)
        for (var j = 0; j < n; j++)
        {
            double expected = 0;
            for (var p = 0; p < k; p++) expected += (double)a[i * k + p] * b[p * n + j];
            Assert.True(Math.Abs(got[i * n + j] - expected) <= 1e-5 * k, $"[{i},{j}] {got[i * n + j]} vs {expected}");
        }
    }

    [Fact]
    public void MklReproducibilityIsPinnedBeforeLibtorchLoads()
    {
        TorchRuntime.Initialize();
        Assert.False(string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MKL_CBWR")));
    }

    [Fact]
    public void ThreadCountIsApplied()
    {
        var before = TorchRuntime.Threads;
        try
        {
            TorchRuntime.Initialize(threads: 1);
            Assert.Equal(1, TorchRuntime.Threads);
        }
        finally { TorchRuntime.Initialize(before); }
        Assert.Throws<ArgumentOutOfRangeException>(() => TorchRuntime.Initialize(-1));
    }
}
