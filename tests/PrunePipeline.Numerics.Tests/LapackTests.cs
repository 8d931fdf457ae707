using PrunePipeline.Numerics;

namespace PrunePipeline.Numerics.Tests;

public class LapackTests
{
    private static double[] RandomSpd(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new double[2 * n * n];
        for (var i = 0; i < x.Length; i++) x[i] = rng.NextDouble() - 0.5;
        var a = new double[n * n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
            {
                double s = 0;
                for (var t = 0; t < 2 * n; t++) s += x[t * n + i] * x[t * n + j];
                a[i * n + j] = s + (i == j ? 0.1 : 0);
            }
        return a;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(40)]
    public void CholeskyMatchesNaive(int n)
    {
        var a = RandomSpd(n, n);
        var expected = new double[n * n];
        Assert.True(NaiveBlas.CholeskyUpper(a, expected, n));
        var f = a.Select(v => (float)v).ToArray();
        Assert.Equal(0, Lapack.CholeskyUpper(f, n));
        for (var i = 0; i < f.Length; i++) Assert.True(Math.Abs(f[i] - expected[i]) < 1e-3 * (1 + Math.Abs(expected[i])), $"{i}: {f[i]} vs {expected[i]}");
        var d = (double[])a.Clone();
        Assert.Equal(0, Lapack.CholeskyUpper(d, n));
        for (var i = 0; i < d.Length; i++) Assert.Equal(expected[i], d[i], 1e-9);
    }

    [Fact]
    public void InverseMatchesGaussJordan()
    {
        const int n = 12;
        var a = RandomSpd(n, 11);
        var expected = new double[n * n];
        NaiveBlas.Inverse(a, expected, n);
        var d = (double[])a.Clone();
        Assert.Equal(0, Lapack.InverseSpd(d, n));
        for (var i = 0; i < d.Length; i++) Assert.Equal(expected[i], d[i], 1e-8);
        var f = a.Select(v => (float)v).ToArray();
        Assert.Equal(0, Lapack.InverseSpd(f, n));
        for (var i = 0; i < f.Length; i++) Assert.True(Math.Abs(f[i] - expected[i]) < 2e-3 * (1 + Math.Abs(expected[i])));
    }

    [Fact]
    public void CholeskyReportsNonPositiveDefinite()
    {
        var a = new float[] { 1, 2, 2, 1 }; // eigenvalues 3 and −1
        Assert.True(Lapack.CholeskyUpper(a, 2) > 0);
    }

    [Fact]
    public void SolveAgreesWithInverse()
    {
        const int n = 9, nrhs = 3;
        var a = RandomSpd(n, 5);
        var inv = new double[n * n];
        NaiveBlas.Inverse(a, inv, n);
        var rng = new Random(1);
        var b = Enumerable.Range(0, n * nrhs).Select(_ => (float)rng.NextDouble()).ToArray();
        var expected = new double[n * nrhs];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < nrhs; j++)
                for (var k = 0; k < n; k++) expected[i * nrhs + j] += inv[i * n + k] * b[k * nrhs + j];
        var factor = a.Select(v => (float)v).ToArray();
        Assert.Equal(0, Lapack.CholeskyUpper(factor, n));
        Assert.Equal(0, Lapack.SolveWithCholeskyUpper(factor, b, n, nrhs));
        for (var i = 0; i < b.Length; i++) Assert.True(Math.Abs(b[i] - expected[i]) < 1e-3 * (1 + Math.Abs(expected[i])));
    }

    [Fact]
    public void EigenAndPowerIterationAgree()
    {
        const int n = 30;
        var a = RandomSpd(n, 8).Select(v => (float)v).ToArray();
        var w = new float[n];
        var vecs = new float[n * n];
        Assert.Equal(0, Lapack.SymmetricEigen(a, w, n, vecs));
        for (var i = 1; i < n; i++) Assert.True(w[i] >= w[i - 1]);
        // A·v = λ·v for the top pair.
        var av = new float[n];
        Blas.Sgemv(a, vecs.AsSpan((n - 1) * n, n), av, n, n);
        for (var i = 0; i < n; i++) Assert.Equal(w[n - 1] * vecs[(n - 1) * n + i], av[i], 1e-3f);
        var power = Spectral.LargestEigenvalue(a, n, maxIterations: 2000, tolerance: 1e-9, margin: 1.0);
        Assert.Equal(w[n - 1], power, w[n - 1] * 1e-3);
    }
}
