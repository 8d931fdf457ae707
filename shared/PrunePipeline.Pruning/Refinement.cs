using System.Numerics.Tensors;
using PrunePipeline.Errors;
using PrunePipeline.Numerics;

namespace PrunePipeline.Pruning;

/// <summary>
/// Masked refinement (algorithm.md §5): minimise f(W) = ½ Σ_rows (w − w₀)ᵀ H (w − w₀) over W with W = 0 off the
/// mask. Shapes: W₀, W, mask rows×cols row-major; H cols×cols. Callable on its own (e.g. by a finetuner service
/// refining a layer pruned elsewhere): pass the dense W₀, H, the pruned weights (updated in place) and the mask.
/// </summary>
public static class Refinement
{
    /// <summary>
    /// Projected gradient descent W ← M ⊙ (W − η·(W − W₀)·H), η = 1/L with L = λ_max(H)·1.01 (power iteration)
    /// unless <paramref name="lipschitz"/> is given. One sgemm per step: W₀H is computed once and the step is
    /// U = W + ηW₀H (element-wise), U ← −η·W·H + U (sgemm with β = 1), W = M ⊙ U. f never rises with this η.
    /// </summary>
    public static void Gd(ReadOnlySpan<float> w0, ReadOnlySpan<float> h, Span<float> weights, ReadOnlySpan<byte> mask,
        int rows, int cols, int steps = 1000, double? lipschitz = null, Action<PruneProgress>? progress = null,
        CancellationToken ct = default)
    {
        CheckShapes(w0, h, weights, mask, rows, cols);
        if (steps < 0) throw new ArgumentException($"steps must be ≥ 0, got {steps}.");
        var n = rows * cols;
        var m = new float[n];
        for (var i = 0; i < n; i++) m[i] = mask[i] != 0 ? 1f : 0f;
        TensorPrimitives.Multiply(weights, m, weights);
        if (steps == 0 || n == 0) return;
        var l = lipschitz ?? Spectral.LargestEigenvalue(h, cols);
        var eta = (float)(1 / l);
        var g0 = new float[n];
        Blas.Sgemm(w0, false, h, false, g0, rows, cols, cols);
        var u = new float[n];
        TensorPrimitives.MultiplyAdd(g0, eta, weights, u);
        for (var s = 0; s < steps; s++)
        {
            ct.ThrowIfCancellationRequested();
            Blas.Sgemm(weights, false, h, false, u, rows, cols, cols, -eta, 1f);
            TensorPrimitives.Multiply(u, m, weights);
            if (s + 1 < steps) TensorPrimitives.MultiplyAdd(g0, eta, weights, u);
            if (progress is not null && ((s + 1) % 100 == 0 || s + 1 == steps)) progress(new PruneProgress("refine", s + 1, steps));
        }
    }

    /// <summary>
    /// Exact per-row optimum on the kept set S of each row: w_S = (H_SS)⁻¹ (H w₀)_S, w = 0 elsewhere. Rows with
    /// identical masks share one Cholesky factorisation (double precision). Inputs with H_jj ≤ 0 (dead) are kept at
    /// 0. If H_SS is singular a tiny ridge is added (1e-10·mean diag, ×100 per retry); a row whose loss would then
    /// rise keeps its starting weights, so f never rises.
    /// </summary>
    public static void Exact(ReadOnlySpan<float> w0, ReadOnlySpan<float> h, Span<float> weights, ReadOnlySpan<byte> mask,
        int rows, int cols, CancellationToken ct = default)
    {
        CheckShapes(w0, h, weights, mask, rows, cols);
        var n = rows * cols;
        for (var i = 0; i < n; i++) if (mask[i] == 0) weights[i] = 0;
        if (n == 0) return;
        var b = new float[n];
        Blas.Sgemm(w0, false, h, false, b, rows, cols, cols); // row r of W₀H = (H w₀_r)ᵀ since H is symmetric
        double meanDiag = 0;
        for (var j = 0; j < cols; j++) meanDiag += h[j * cols + j];
        meanDiag = Math.Max(meanDiag / cols, 1e-30);

        // Group rows by mask (live kept columns only).
        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var keyBytes = new char[cols];
        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < cols; j++) keyBytes[j] = mask[r * cols + j] != 0 && h[j * cols + j] > 0 ? '1' : '0';
            var key = new string(keyBytes);
            if (!groups.TryGetValue(key, out var list)) groups[key] = list = [];
            list.Add(r);
        }
        foreach (var (key, list) in groups)
        {
            ct.ThrowIfCancellationRequested();
            var s = new List<int>();
            for (var j = 0; j < cols; j++) if (key[j] == '1') s.Add(j);
            var k = s.Count;
            foreach (var r in list)
                for (var j = 0; j < cols; j++) if (key[j] == '0') weights[r * cols + j] = 0;
            if (k == 0) continue;
            var (factor, ridge) = Factor(h, cols, s, meanDiag);
            var x = new double[k];
            foreach (var r in list)
            {
                for (var i = 0; i < k; i++) x[i] = b[r * cols + s[i]];
                SolveUpper(factor, x, k);
                if (ridge > 0)
                {
                    // Guard the regularised solve: keep the start if it does not lower this row's loss.
                    var start = weights.Slice(r * cols, cols).ToArray();
                    var trial = new float[cols];
                    for (var i = 0; i < k; i++) trial[s[i]] = (float)x[i];
                    var w0r = w0.Slice(r * cols, cols);
                    if (LocalLoss.Compute(trial, w0r, h, 1, cols) >= LocalLoss.Compute(start, w0r, h, 1, cols)) continue;
                }
                for (var i = 0; i < k; i++) weights[r * cols + s[i]] = (float)x[i];
            }
        }
    }

    private static (double[] Factor, double Ridge) Factor(ReadOnlySpan<float> h, int cols, List<int> s, double meanDiag)
    {
        var k = s.Count;
        var a = new double[k * k];
        var ridge = 0.0;
        for (var attempt = 0; attempt < 8; attempt++)
        {
            for (var i = 0; i < k; i++)
                for (var j = 0; j < k; j++)
                    a[i * k + j] = h[s[i] * cols + s[j]] + (i == j ? ridge : 0);
            if (Lapack.CholeskyUpper(a.AsSpan(), k) == 0) return (a, ridge);
            ridge = ridge == 0 ? 1e-10 * meanDiag : ridge * 100;
        }
        throw new BadInputException($"H restricted to a kept set of {k} inputs is not positive definite even with a ridge of {ridge:G3}.");
    }

    /// <summary>Solves UᵀU x = b in place for upper-triangular U (k×k row-major).</summary>
    private static void SolveUpper(double[] u, double[] x, int k)
    {
        for (var i = 0; i < k; i++)
        {
            var v = x[i];
            for (var p = 0; p < i; p++) v -= u[p * k + i] * x[p];
            x[i] = v / u[i * k + i];
        }
        for (var i = k - 1; i >= 0; i--)
        {
            var v = x[i];
            for (var p = i + 1; p < k; p++) v -= u[i * k + p] * x[p];
            x[i] = v / u[i * k + i];
        }
    }

    private static void CheckShapes(ReadOnlySpan<float> w0, ReadOnlySpan<float> h, Span<float> weights, ReadOnlySpan<byte> mask, int rows, int cols)
    {
        if (rows < 0 || cols < 0) throw new ArgumentException($"negative shape {rows}×{cols}.");
        var n = (long)rows * cols;
        if (w0.Length != n) throw new ArgumentException($"W₀ has {w0.Length} entries, expected {rows}×{cols}.");
        if (weights.Length != n) throw new ArgumentException($"weights have {weights.Length} entries, expected {rows}×{cols}.");
        if (mask.Length != n) throw new ArgumentException($"mask has {mask.Length} entries, expected {rows}×{cols}.");
        if (h.Length != (long)cols * cols) throw new ArgumentException($"H has {h.Length} entries, expected {cols}×{cols}.");
    }
}
