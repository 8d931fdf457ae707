using static TorchSharp.torch;

namespace PrunePipeline.Pruning;

/// <summary>Step sizes for gradient methods on quadratic losses: the largest eigenvalue of H by power iteration.</summary>
internal static class TorchSpectral
{
    /// <summary>
    /// Largest eigenvalue of a symmetric PSD n×n matrix by power iteration from a deterministic start vector,
    /// multiplied by <paramref name="margin"/> (1 %) so that 1/L is a safe gradient step even though power iteration
    /// approaches λ_max from below. At least a tiny positive number for an all-zero matrix.
    /// </summary>
    public static double LargestEigenvalue(Tensor h, int maxIterations = 200, double tolerance = 1e-6, double margin = 1.01)
    {
        var n = h.shape[0];
        if (n == 0) return 1e-12;
        using var scope = NewDisposeScope();
        // Uniform plus a small ramp, so that the start is not orthogonal to the top eigenvector.
        var v = (ones(n, ScalarType.Float32) + arange(n, ScalarType.Int64).remainder(7).to(ScalarType.Float32) * 0.01f).to(h.device);
        v = v / v.norm();
        double lambda = 0;
        for (var it = 0; it < maxIterations; it++)
        {
            using var inner = NewDisposeScope();
            var w = h.mv(v);
            var rayleigh = v.to(ScalarType.Float64).dot(w.to(ScalarType.Float64)).item<double>();
            var norm = w.to(ScalarType.Float64).norm().item<double>();
            if (norm == 0) return 1e-12;
            v = (w / (float)norm).MoveToOuterDisposeScope();
            if (Math.Abs(rayleigh - lambda) <= tolerance * Math.Abs(rayleigh)) { lambda = rayleigh; break; }
            lambda = rayleigh;
        }
        return Math.Max(lambda, 1e-12) * margin;
    }
}
