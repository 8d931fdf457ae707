using PrunePipeline.Numerics;

namespace PrunePipeline.Pruning;

/// <summary>
/// The local loss of §1: f(W) = ½ Σ_rows (w − w₀)ᵀ H (w − w₀) = ½ Σ D ⊙ (D·H) with D = W − W₀
/// (W, W₀: rows×cols; H: cols×cols). One sgemm, then a double-precision reduction.
/// </summary>
public static class LocalLoss
{
    /// <summary>Rows per sgemm chunk: D and D·H are held for this many rows only (≈ 4 M floats each), so the loss of a
    /// 11008×4096 layer needs 32 MB of scratch instead of two full copies of W (360 MB) on top of the block.</summary>
    private const int ChunkElements = 1 << 22;

    public static double Compute(ReadOnlySpan<float> w, ReadOnlySpan<float> w0, ReadOnlySpan<float> h, int rows, int cols) =>
        Compute(w, w0, h, rows, cols, ChunkElements);

    internal static double Compute(ReadOnlySpan<float> w, ReadOnlySpan<float> w0, ReadOnlySpan<float> h, int rows, int cols, int chunkElements)
    {
        var n = rows * cols;
        if (w.Length != n || w0.Length != n) throw new ArgumentException($"W ({w.Length}) and W₀ ({w0.Length}) must have {n} entries.");
        if (h.Length != (long)cols * cols) throw new ArgumentException($"H has {h.Length} entries, expected {cols}×{cols}.");
        if (n == 0) return 0;
        var chunkRows = Math.Clamp(chunkElements / Math.Max(1, cols), 1, rows);
        var d = new float[chunkRows * cols];
        var dh = new float[chunkRows * cols];
        double s = 0;
        for (var r0 = 0; r0 < rows; r0 += chunkRows)
        {
            var r = Math.Min(chunkRows, rows - r0);
            var len = r * cols;
            var off = r0 * cols;
            for (var i = 0; i < len; i++) d[i] = w[off + i] - w0[off + i];
            Blas.Sgemm(d.AsSpan(0, len), false, h, false, dh.AsSpan(0, len), r, cols, cols);
            for (var i = 0; i < len; i++) s += (double)d[i] * dh[i];
        }
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
