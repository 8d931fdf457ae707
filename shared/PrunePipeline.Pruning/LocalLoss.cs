using PrunePipeline.Tensors;
using static TorchSharp.torch;

namespace PrunePipeline.Pruning;

/// <summary>
/// The local loss of §1: f(W) = ½ Σ_rows (w − w₀)ᵀ H (w − w₀) = ½ Σ D ⊙ (D·H) with D = W − W₀
/// (W, W₀: rows×cols; H: cols×cols). One matmul per chunk of rows, then a double-precision reduction.
/// </summary>
public static class LocalLoss
{
    /// <summary>Rows per matmul chunk: D and D·H are held for this many rows only (≈ 4 M floats each), so the loss of a
    /// 11008×4096 layer needs 32 MB of scratch instead of two full copies of W (360 MB) on top of the block.</summary>
    private const int ChunkElements = 1 << 22;

    /// <summary>f(W) of arrays, computed on tensors that view them (no copies).</summary>
    public static double Compute(float[] w, float[] w0, float[] h, int rows, int cols) =>
        Compute(w, w0, h, rows, cols, ChunkElements);

    internal static double Compute(float[] w, float[] w0, float[] h, int rows, int cols, int chunkElements)
    {
        var n = rows * cols;
        if (w.Length != n || w0.Length != n) throw new ArgumentException($"W ({w.Length}) and W₀ ({w0.Length}) must have {n} entries.");
        if (h.Length != (long)cols * cols) throw new ArgumentException($"H has {h.Length} entries, expected {cols}×{cols}.");
        if (n == 0) return 0;
        TorchRuntime.Initialize();
        using var tw = TorchLayer.View(w, rows, cols, CPU);
        using var tw0 = TorchLayer.View(w0, rows, cols, CPU);
        using var th = TorchLayer.View(h, cols, cols, CPU);
        return Compute(tw, tw0, th, chunkElements);
    }

    /// <summary>f(W) for tensors on any one device (fp32; the reduction in fp64).</summary>
    public static double Compute(Tensor w, Tensor w0, Tensor h) => Compute(w, w0, h, ChunkElements);

    internal static double Compute(Tensor w, Tensor w0, Tensor h, int chunkElements)
    {
        var rows = w.shape[0];
        var cols = w.shape[1];
        if (rows == 0 || cols == 0) return 0;
        var chunkRows = Math.Clamp(chunkElements / Math.Max(1, cols), 1, rows);
        double s = 0;
        for (long r0 = 0; r0 < rows; r0 += chunkRows)
        {
            using var scope = NewDisposeScope();
            var r = Math.Min(chunkRows, rows - r0);
            var d = w.narrow(0, r0, r) - w0.narrow(0, r0, r);
            var dh = d.mm(h);
            s += (d.to(ScalarType.Float64) * dh.to(ScalarType.Float64)).sum().item<double>();
        }
        return 0.5 * s;
    }

    /// <summary>Naive twin in double (no library) for tests.</summary>
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
