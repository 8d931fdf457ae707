namespace PrunePipeline.Pruning.Tests;

/// <summary>
/// Deliberately naive reference twins of the fast kernels (triple loops, double accumulation). Tests compare the
/// OpenBLAS paths against these; production code never calls them.
/// </summary>
internal static class NaiveBlas
{
    /// <summary>C ← α·op(A)·op(B) + β·C, row-major, contiguous (lda/ldb/ldc equal the row lengths).</summary>
    public static void Gemm(ReadOnlySpan<float> a, bool transA, ReadOnlySpan<float> b, bool transB, Span<float> c,
        int m, int n, int k, float alpha = 1f, float beta = 0f)
    {
        for (var i = 0; i < m; i++)
            for (var j = 0; j < n; j++)
            {
                double s = 0;
                for (var p = 0; p < k; p++)
                {
                    var av = transA ? a[p * m + i] : a[i * k + p];
                    var bv = transB ? b[j * k + p] : b[p * n + j];
                    s += (double)av * bv;
                }
                c[i * n + j] = (float)(alpha * s + (beta == 0f ? 0.0 : (double)beta * c[i * n + j]));
            }
    }

    /// <summary>C = XᵀX for X stored samples×n row-major (full symmetric result).</summary>
    public static void Gram(ReadOnlySpan<float> x, Span<float> c, int samples, int n)
    {
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
            {
                double s = 0;
                for (var t = 0; t < samples; t++) s += (double)x[t * n + i] * x[t * n + j];
                c[i * n + j] = (float)s;
            }
    }

    /// <summary>Upper Cholesky factor U (A = UᵀU) by the textbook algorithm; returns false if A is not SPD.</summary>
    public static bool CholeskyUpper(ReadOnlySpan<double> a, Span<double> u, int n)
    {
        u.Clear();
        for (var j = 0; j < n; j++)
        {
            var d = a[j * n + j];
            for (var k = 0; k < j; k++) d -= u[k * n + j] * u[k * n + j];
            if (!(d > 0)) return false;
            var ujj = Math.Sqrt(d);
            u[j * n + j] = ujj;
            for (var i = j + 1; i < n; i++)
            {
                var s = a[j * n + i];
                for (var k = 0; k < j; k++) s -= u[k * n + j] * u[k * n + i];
                u[j * n + i] = s / ujj;
            }
        }
        return true;
    }

    /// <summary>Inverse of an SPD matrix by Gauss-Jordan elimination (double precision).</summary>
    public static void Inverse(ReadOnlySpan<double> a, Span<double> inv, int n)
    {
        var m = a.ToArray();
        inv.Clear();
        for (var i = 0; i < n; i++) inv[i * n + i] = 1;
        for (var col = 0; col < n; col++)
        {
            var piv = col;
            for (var r = col + 1; r < n; r++)
                if (Math.Abs(m[r * n + col]) > Math.Abs(m[piv * n + col])) piv = r;
            if (piv != col)
                for (var c = 0; c < n; c++)
                {
                    (m[col * n + c], m[piv * n + c]) = (m[piv * n + c], m[col * n + c]);
                    (inv[col * n + c], inv[piv * n + c]) = (inv[piv * n + c], inv[col * n + c]);
                }
            var p = m[col * n + col];
            for (var c = 0; c < n; c++) { m[col * n + c] /= p; inv[col * n + c] /= p; }
            for (var r = 0; r < n; r++)
            {
                if (r == col) continue;
                var f = m[r * n + col];
                if (f == 0) continue;
                for (var c = 0; c < n; c++) { m[r * n + c] -= f * m[col * n + c]; inv[r * n + c] -= f * inv[col * n + c]; }
            }
        }
    }
}
