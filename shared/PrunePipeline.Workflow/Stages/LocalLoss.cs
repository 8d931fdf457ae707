using PrunePipeline.Numerics;

namespace PrunePipeline.Workflow.Stages;

/// <summary>
/// f(W) = ½·Σ_rows (w − w₀)ᵀ H (w − w₀) = ½‖(W − W₀)X‖²/N (algorithm.md §1). W, W₀: m×n; H: n×n.
/// One GEMM D·H in fp32, the final contraction summed in fp64.
/// </summary>
public static class LocalLoss
{
    public static double Compute(ReadOnlySpan<float> w0, ReadOnlySpan<float> w, ReadOnlySpan<float> h, int rows, int cols)
    {
        var count = (long)rows * cols;
        if (w0.Length != count || w.Length != count) throw new ArgumentException($"weights must have {rows}×{cols} values.");
        if (h.Length != (long)cols * cols) throw new ArgumentException($"H must have {cols}×{cols} values.");
        // Row panels keep the scratch small for large layers.
        var panel = Math.Max(1, Math.Min(rows, (1 << 22) / Math.Max(1, cols)));
        var d = new float[(long)panel * cols];
        var dh = new float[d.Length];
        double total = 0;
        for (var r0 = 0; r0 < rows; r0 += panel)
        {
            var pr = Math.Min(panel, rows - r0);
            var n = pr * cols;
            for (var i = 0; i < n; i++) d[i] = w[r0 * cols + i] - w0[r0 * cols + i];
            Blas.Sgemm(d.AsSpan(0, n), false, h, false, dh.AsSpan(0, n), pr, cols, cols);
            for (var i = 0; i < n; i++) total += (double)d[i] * dh[i];
        }
        return 0.5 * total;
    }
}
