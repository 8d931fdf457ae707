using PrunePipeline.Numerics;

namespace PrunePipeline.Pruning;

/// <summary>
/// The local loss of §1: f(W) = ½ Σ_rows (w − w₀)ᵀ H (w − w₀) = ½ Σ D ⊙ (D·H) with D = W − W₀
/// (W, W₀: rows×cols; H: cols×cols). One sgemm, then a double-precision reduction.
/// </summary>
public static class LocalLoss
{
    public static double Compute(ReadOnlySpan<float> w, ReadOnlySpan<float> w0, ReadOnlySpan<float> h, int rows, int cols)
    {
        var n = rows * cols;
        if (w.Length != n || w0.Length != n) throw new ArgumentException($"W ({w.Length}) and W₀ ({w0.Length}) must have {n} entries.");
        if (h.Length != (long)cols * cols) throw new ArgumentException($"H has {h.Length} entries, expected {cols}×{cols}.");
        var d = new float[n];
        for (var i = 0; i < n; i++) d[i] = w[i] - w0[i];
        var dh = new float[n];
        Blas.Sgemm(d, false, h, false, dh, rows, cols, cols);
        double s = 0;
        for (var i = 0; i < n; i++) s += (double)d[i] * dh[i];
        return 0.5 * s;
    }

    /// <summary>Naive twin in double (no BLAS) for tests.</summary>
    public static double ComputeNaive(ReadOnlySpan<float> w, ReadOnlySpan<float> w0, ReadOnlySpan<float> h, int rows, int cols)
    {
        double s = 0;
        for (var r = 0; r < rows; r++)
            for (var i = 0; i < cols; i++)
            {
                var di = (double)w[r * cols + i] - w0[r * cols + i];
                if (di == 0) continue;
                for (var j = 0; j < cols; j++) s += di * h[i * cols + j] * ((double)w[r * cols + j] - w0[r * cols + j]);
            }
        return 0.5 * s;
    }
}
