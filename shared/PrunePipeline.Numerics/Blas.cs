namespace PrunePipeline.Numerics;

/// <summary>
/// Row-major BLAS level-3 kernels through OpenBLAS. Inputs first, then outputs, then dimensions, as in the
/// house style; every call validates span lengths against the dimensions before touching native code.
/// Dimension legend: C is m×n, op(A) is m×k, op(B) is k×n.
/// </summary>
public static unsafe class Blas
{
    /// <summary>C ← α·op(A)·op(B) + β·C (single precision, row-major).</summary>
    /// <param name="a">A, stored m×k (or k×m when <paramref name="transA"/>), leading dimension <paramref name="lda"/>.</param>
    /// <param name="b">B, stored k×n (or n×k when <paramref name="transB"/>), leading dimension <paramref name="ldb"/>.</param>
    public static void Sgemm(ReadOnlySpan<float> a, bool transA, ReadOnlySpan<float> b, bool transB, Span<float> c,
        int m, int n, int k, float alpha = 1f, float beta = 0f, int lda = -1, int ldb = -1, int ldc = -1)
    {
        NativeCheck.EnsureOpenBlas();
        if (lda < 0) lda = transA ? m : k;
        if (ldb < 0) ldb = transB ? k : n;
        if (ldc < 0) ldc = n;
        CheckLength(a.Length, transA ? k : m, lda, "A");
        CheckLength(b.Length, transB ? n : k, ldb, "B");
        CheckLength(c.Length, m, ldc, "C");
        if (m == 0 || n == 0) return;
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
            OpenBlasNative.cblas_sgemm(OpenBlasNative.RowMajor, transA ? OpenBlasNative.Trans : OpenBlasNative.NoTrans,
                transB ? OpenBlasNative.Trans : OpenBlasNative.NoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }

    /// <summary>C ← α·op(A)·op(B) + β·C (double precision, row-major).</summary>
    public static void Dgemm(ReadOnlySpan<double> a, bool transA, ReadOnlySpan<double> b, bool transB, Span<double> c,
        int m, int n, int k, double alpha = 1, double beta = 0, int lda = -1, int ldb = -1, int ldc = -1)
    {
        NativeCheck.EnsureOpenBlas();
        if (lda < 0) lda = transA ? m : k;
        if (ldb < 0) ldb = transB ? k : n;
        if (ldc < 0) ldc = n;
        CheckLength(a.Length, transA ? k : m, lda, "A");
        CheckLength(b.Length, transB ? n : k, ldb, "B");
        CheckLength(c.Length, m, ldc, "C");
        if (m == 0 || n == 0) return;
        fixed (double* pa = a)
        fixed (double* pb = b)
        fixed (double* pc = c)
            OpenBlasNative.cblas_dgemm(OpenBlasNative.RowMajor, transA ? OpenBlasNative.Trans : OpenBlasNative.NoTrans,
                transB ? OpenBlasNative.Trans : OpenBlasNative.NoTrans, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }

    /// <summary>
    /// C ← α·XᵀX + β·C for X stored N×n row-major (N samples of n features): the Hessian accumulation
    /// <c>H += XᵀX</c>. Only the upper triangle is computed by BLAS; the lower is mirrored so C is a full symmetric
    /// n×n matrix on return.
    /// </summary>
    public static void SyrkTransposed(ReadOnlySpan<float> x, Span<float> c, int samples, int n, float alpha = 1f, float beta = 0f)
    {
        NativeCheck.EnsureOpenBlas();
        CheckLength(x.Length, samples, n, "X");
        CheckLength(c.Length, n, n, "C");
        if (n == 0) return;
        if (samples > 0)
        {
            fixed (float* px = x)
            fixed (float* pc = c)
                OpenBlasNative.cblas_ssyrk(OpenBlasNative.RowMajor, OpenBlasNative.Upper, OpenBlasNative.Trans, n, samples,
                    alpha, px, n, beta, pc, n);
        }
        else if (beta != 1f)
        {
            for (var i = 0; i < c.Length; i++) c[i] *= beta;
        }
        MirrorUpperToLower(c, n);
    }

    /// <summary>y ← α·A·x + β·y with A m×n row-major.</summary>
    public static void Sgemv(ReadOnlySpan<float> a, ReadOnlySpan<float> x, Span<float> y, int m, int n, float alpha = 1f, float beta = 0f)
    {
        NativeCheck.EnsureOpenBlas();
        CheckLength(a.Length, m, n, "A");
        if (x.Length < n) throw new ArgumentException($"x has {x.Length} elements, needs {n}.", nameof(x));
        if (y.Length < m) throw new ArgumentException($"y has {y.Length} elements, needs {m}.", nameof(y));
        if (m == 0) return;
        fixed (float* pa = a)
        fixed (float* px = x)
        fixed (float* py = y)
            OpenBlasNative.cblas_sgemv(OpenBlasNative.RowMajor, OpenBlasNative.NoTrans, m, n, alpha, pa, n, px, 1, beta, py, 1);
    }

    /// <summary>Sets OpenBLAS's thread count (benchmarks set it explicitly so figures are comparable).</summary>
    public static void SetThreads(int threads)
    {
        NativeCheck.EnsureOpenBlas();
        OpenBlasNative.openblas_set_num_threads(threads);
    }

    /// <summary>OpenBLAS's current thread count.</summary>
    public static int Threads
    {
        get
        {
            NativeCheck.EnsureOpenBlas();
            return OpenBlasNative.openblas_get_num_threads();
        }
    }

    /// <summary>Copies the upper triangle of a row-major n×n matrix onto its lower triangle.</summary>
    public static void MirrorUpperToLower(Span<float> c, int n)
    {
        for (var i = 1; i < n; i++)
            for (var j = 0; j < i; j++)
                c[i * n + j] = c[j * n + i];
    }

    internal static void CheckLength(int length, int rows, int ld, string name)
    {
        if (rows < 0 || ld < 0) throw new ArgumentException($"{name}: negative dimension (rows {rows}, ld {ld}).");
        var needed = rows == 0 ? 0 : (long)(rows - 1) * ld + ld;
        if (length < needed)
            throw new ArgumentException($"{name} has {length} elements but its shape needs {needed} ({rows} rows × {ld}).");
    }
}
