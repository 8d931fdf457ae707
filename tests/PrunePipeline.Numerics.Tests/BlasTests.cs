using PrunePipeline.Numerics;

namespace PrunePipeline.Numerics.Tests;

public class BlasTests
{
    private static float[] Random(Random rng, int count)
    {
        var x = new float[count];
        for (var i = 0; i < count; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    [Theory]
    [InlineData(1, 1, 1, false, false)]
    [InlineData(7, 5, 3, false, true)]
    [InlineData(33, 17, 65, true, false)]
    [InlineData(64, 129, 31, true, true)]
    public void SgemmMatchesNaiveTwin(int m, int n, int k, bool ta, bool tb)
    {
        var rng = new Random(m * 1000 + n * 10 + k);
        var a = Random(rng, m * k);
        var b = Random(rng, k * n);
        var c = Random(rng, m * n);
        var expected = (float[])c.Clone();
        NaiveBlas.Gemm(a, ta, b, tb, expected, m, n, k, 0.5f, 2f);
        Blas.Sgemm(a, ta, b, tb, c, m, n, k, 0.5f, 2f);
        for (var i = 0; i < c.Length; i++)
            Assert.True(Math.Abs(c[i] - expected[i]) <= 1e-4f * (1 + k), $"element {i}: {c[i]} vs {expected[i]}");
    }

    [Fact]
    public void SyrkMatchesGram()
    {
        var rng = new Random(3);
        int samples = 37, n = 19;
        var x = Random(rng, samples * n);
        var c = new float[n * n];
        var expected = new float[n * n];
        Blas.SyrkTransposed(x, c, samples, n);
        NaiveBlas.Gram(x, expected, samples, n);
        for (var i = 0; i < c.Length; i++) Assert.Equal(expected[i], c[i], 1e-4f);
    }

    [Fact]
    public void GemmRejectsShortBuffers()
    {
        var ex = Assert.Throws<ArgumentException>(() => Blas.Sgemm(new float[5], false, new float[6], false, new float[6], 2, 3, 3));
        Assert.Contains("A has 5 elements", ex.Message);
    }

    [Fact]
    public void OpenBlasIsTheLoadedLibrary()
    {
        NativeCheck.EnsureOpenBlas();
        Assert.True(NativeCheck.IsOpenBlasAvailable);
        Assert.True(Blas.Threads >= 1);
    }
}
