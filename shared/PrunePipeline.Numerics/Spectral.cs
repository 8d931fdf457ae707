namespace PrunePipeline.Numerics;

/// <summary>Spectral helpers for step sizes of gradient methods on quadratic losses.</summary>
public static class Spectral
{
    /// <summary>
    /// Largest eigenvalue of a symmetric PSD n×n matrix by power iteration (deterministic start vector), multiplied
    /// by <paramref name="margin"/> (default 1 %) so that 1/L is a safe gradient step even though power iteration
    /// approaches λ_max from below. Returns at least a tiny positive number for an all-zero matrix.
    /// </summary>
    public static double LargestEigenvalue(ReadOnlySpan<float> h, int n, int maxIterations = 200, double tolerance = 1e-6, double margin = 1.01)
    {
        Blas.CheckLength(h.Length, n, n, "H");
        if (n == 0) return 1e-12;
        var v = new float[n];
        var w = new float[n];
        // Deterministic, non-degenerate start: uniform plus a small ramp so it is not orthogonal to the top vector.
        for (var i = 0; i < n; i++) v[i] = 1f + 0.01f * (i % 7);
        Normalize(v);
        double lambda = 0;
        for (var it = 0; it < maxIterations; it++)
        {
            Blas.Sgemv(h, v, w, n, n);
            double rayleigh = 0;
            for (var i = 0; i < n; i++) rayleigh += (double)v[i] * w[i];
            var norm = Normalize(w);
            if (norm == 0) return 1e-12;
            (v, w) = (w, v);
            if (Math.Abs(rayleigh - lambda) <= tolerance * Math.Abs(rayleigh)) { lambda = rayleigh; break; }
            lambda = rayleigh;
        }
        return Math.Max(lambda, 1e-12) * margin;
    }

    private static double Normalize(Span<float> v)
    {
        double s = 0;
        foreach (var x in v) s += (double)x * x;
        var norm = Math.Sqrt(s);
        if (norm == 0) return 0;
        var inv = (float)(1 / norm);
        for (var i = 0; i < v.Length; i++) v[i] *= inv;
        return norm;
    }
}
