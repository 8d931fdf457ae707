using PrunePipeline.Numerics;
using PrunePipeline.Errors;

namespace PrunePipeline.Pruning;

/// <summary>
/// SparseGPT (algorithm.md §6; Frantar &amp; Alistarh 2023) for N:M or unstructured sparsity, without quantisation.
/// H ← H + δ·mean(diag H)·I (dead inputs: H_jj = 1 and their column of W zeroed first); U = upper Cholesky factor
/// of H⁻¹ (H⁻¹ = UᵀU); columns swept left to right in blocks of B. N:M: at each column i with i mod M = 0 every row
/// prunes the M − N of columns i…i+M−1 with the smallest w²/U_jj². Unstructured: at the start of each block the
/// round(ratio·rows·B) smallest w²/U_jj² of the block are pruned. Each pruned weight's error (w − q)/U_ii is spread
/// over the row's later columns of the block with row i of U; later blocks get the accumulated error in one sgemm
/// (lazy batch update). Shapes: W rows×cols (updated in place), H cols×cols.
/// </summary>
internal static class SparseGpt
{
    public static (byte[] Mask, double DampingUsed) Run(float[] w, ReadOnlySpan<float> h, int rows, int cols,
        SparsityPattern pattern, double damping, int retries, int blockSize, CancellationToken ct)
    {
        var n = cols;
        var (u, dampingUsed) = InverseCholesky(h, w, rows, n, damping, retries);
        var mask = new byte[rows * n];
        mask.AsSpan().Fill(1);
        var block = pattern.IsUnstructured ? blockSize : (blockSize + pattern.M - 1) / pattern.M * pattern.M;
        var err = new float[rows * block];
        var scratch = new float[rows * Math.Max(0, n - Math.Min(n, block))];
        for (var i1 = 0; i1 < n; i1 += block)
        {
            ct.ThrowIfCancellationRequested();
            var i2 = Math.Min(n, i1 + block);
            var count = i2 - i1;
            if (pattern.IsUnstructured) SelectUnstructured(w, u, mask, rows, n, i1, count, pattern.UnstructuredRatio!.Value);
            SweepBlock(w, u, mask, err, rows, n, i1, count, block, pattern);
            if (i2 < n)
            {
                // Lazy update of all later columns: W[:, i2:] −= Err · U[i1:i2, i2:] (one sgemm into a scratch).
                var rest = n - i2;
                Blas.Sgemm(err, false, u.AsSpan(i1 * n + i2), false, scratch, rows, rest, count, 1f, 0f, lda: block, ldb: n, ldc: rest);
                for (var r = 0; r < rows; r++)
                    System.Numerics.Tensors.TensorPrimitives.Subtract(w.AsSpan(r * n + i2, rest), scratch.AsSpan(r * rest, rest), w.AsSpan(r * n + i2, rest));
            }
        }
        return (mask, dampingUsed);
    }

    /// <summary>Upper Cholesky factor of (H + δ·mean diag·I)⁻¹, retrying with δ·10 when not positive definite.</summary>
    internal static (float[] U, double Damping) InverseCholesky(ReadOnlySpan<float> h, Span<float> w, int rows, int n, double damping, int retries)
    {
        var baseH = h.ToArray();
        for (var j = 0; j < n; j++)
        {
            if (baseH[j * n + j] > 0) continue;
            baseH[j * n + j] = 1;
            for (var r = 0; r < rows; r++) w[r * n + j] = 0;
        }
        double mean = 0;
        for (var j = 0; j < n; j++) mean += baseH[j * n + j];
        mean /= n;
        var delta = damping;
        var lastInfo = 0;
        for (var attempt = 0; attempt <= retries; attempt++, delta *= 10)
        {
            var a = (float[])baseH.Clone();
            var add = (float)(delta * mean);
            for (var j = 0; j < n; j++) a[j * n + j] += add;
            lastInfo = Lapack.InverseSpd(a, n);
            if (lastInfo == 0) lastInfo = Lapack.CholeskyUpper(a, n);
            if (lastInfo == 0 && AllFinite(a)) return (a, delta);
        }
        throw new BadInputException(
            $"H is not positive definite even after damping δ = {delta / 10:G3} (×mean diag {mean:G4}; LAPACK info {lastInfo}); SparseGPT cannot proceed.");
    }

    private static bool AllFinite(float[] a)
    {
        foreach (var x in a) if (!float.IsFinite(x)) return false;
        return true;
    }

    private static void SelectUnstructured(Span<float> w, float[] u, byte[] mask, int rows, int n, int i1, int count, double ratio)
    {
        var score = new float[rows * count];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < count; c++)
            {
                var d = u[(i1 + c) * n + i1 + c];
                var x = w[r * n + i1 + c];
                score[r * count + c] = x * x / (d * d);
            }
        var blockMask = new byte[rows * count];
        PruneMasks.SelectLowest(score, blockMask, (int)Math.Round(ratio * rows * count), new int[score.Length], new float[score.Length]);
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < count; c++) mask[r * n + i1 + c] = blockMask[r * count + c];
    }

    private static void SweepBlock(float[] w, float[] u, byte[] mask, float[] err, int rows, int n, int i1, int count, int ldErr, SparsityPattern pattern)
    {
        // Rows are independent problems sharing U: each row runs the block's column sweep on its own.
        if (rows * count < 16384)
            for (var r = 0; r < rows; r++) SweepRow(w, u, mask, err, r, n, i1, count, ldErr, pattern);
        else
            Parallel.For(0, rows, r => SweepRow(w, u, mask, err, r, n, i1, count, ldErr, pattern));
    }

    private static void SweepRow(float[] wAll, float[] u, byte[] mask, float[] err, int r, int n, int i1, int count, int ldErr, SparsityPattern pattern)
    {
        var w = wAll.AsSpan(r * n + i1, count);
        var mrow = mask.AsSpan(r * n + i1, count);
        Span<int> order = stackalloc int[pattern.IsUnstructured ? 1 : pattern.M];
        for (var i = 0; i < count; i++)
        {
            if (!pattern.IsUnstructured && i % pattern.M == 0)
            {
                var m = pattern.M;
                for (var k = 0; k < m; k++) order[k] = k;
                // Keep the N largest w²/U_jj² (ties: lower column kept), prune the rest.
                for (var a = 1; a < m; a++)
                    for (var b = a; b > 0 && Score(w, u, n, i1, i + order[b]) > Score(w, u, n, i1, i + order[b - 1]); b--)
                        (order[b], order[b - 1]) = (order[b - 1], order[b]);
                for (var k = 0; k < m; k++) mrow[i + order[k]] = (byte)(k < pattern.N ? 1 : 0);
            }
            var col = i1 + i;
            var wi = w[i];
            var q = mrow[i] != 0 ? wi : 0f;
            var e = (wi - q) / u[col * n + col];
            w[i] = q;
            err[r * ldErr + i] = e;
            if (e == 0) continue;
            var urow = u.AsSpan(col * n + col + 1, count - i - 1);
            var rest = w.Slice(i + 1);
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(urow, -e, rest, rest);
        }
    }

    private static float Score(Span<float> w, float[] u, int n, int i1, int i)
    {
        var d = u[(i1 + i) * n + i1 + i];
        return w[i] * w[i] / (d * d);
    }
}
