namespace PrunePipeline.Numerics;

/// <summary>
/// Cholesky, inverse and symmetric eigen-solves through OpenBLAS's LAPACK. Matrices are full symmetric n×n,
/// row-major; since a symmetric matrix is its own transpose, row-major "upper" is column-major "lower", which is
/// what we pass to Fortran. Each routine returns LAPACK's <c>info</c> (0 = success, k &gt; 0 = the leading minor of
/// order k is not positive definite) so callers can produce a message naming the layer.
/// </summary>
public static unsafe class Lapack
{
    /// <summary>
    /// In place: A ← U, the upper Cholesky factor with A = UᵀU (row-major). The strict lower triangle is zeroed.
    /// </summary>
    public static int CholeskyUpper(Span<float> a, int n)
    {
        NativeCheck.EnsureOpenBlas();
        Blas.CheckLength(a.Length, n, n, "A");
        var info = 0;
        byte uplo = (byte)'L'; // column-major lower == row-major upper
        fixed (float* pa = a)
            OpenBlasNative.spotrf_(&uplo, &n, pa, &n, &info);
        if (info == 0) ZeroStrictLower(a, n);
        return info;
    }

    /// <summary>In place (double): A ← U, the upper Cholesky factor with A = UᵀU (row-major).</summary>
    public static int CholeskyUpper(Span<double> a, int n)
    {
        NativeCheck.EnsureOpenBlas();
        Blas.CheckLength(a.Length, n, n, "A");
        var info = 0;
        byte uplo = (byte)'L';
        fixed (double* pa = a)
            OpenBlasNative.dpotrf_(&uplo, &n, pa, &n, &info);
        if (info == 0)
            for (var i = 1; i < n; i++)
                for (var j = 0; j < i; j++)
                    a[i * n + j] = 0;
        return info;
    }

    /// <summary>In place: A ← A⁻¹ for symmetric positive definite A (full matrix returned).</summary>
    public static int InverseSpd(Span<float> a, int n)
    {
        NativeCheck.EnsureOpenBlas();
        Blas.CheckLength(a.Length, n, n, "A");
        var info = 0;
        byte uplo = (byte)'L';
        fixed (float* pa = a)
        {
            OpenBlasNative.spotrf_(&uplo, &n, pa, &n, &info);
            if (info != 0) return info;
            OpenBlasNative.spotri_(&uplo, &n, pa, &n, &info);
        }
        if (info == 0) Blas.MirrorUpperToLower(a, n);
        return info;
    }

    /// <summary>In place (double): A ← A⁻¹ for symmetric positive definite A (full matrix returned).</summary>
    public static int InverseSpd(Span<double> a, int n)
    {
        NativeCheck.EnsureOpenBlas();
        Blas.CheckLength(a.Length, n, n, "A");
        var info = 0;
        byte uplo = (byte)'L';
        fixed (double* pa = a)
        {
            OpenBlasNative.dpotrf_(&uplo, &n, pa, &n, &info);
            if (info != 0) return info;
            OpenBlasNative.dpotri_(&uplo, &n, pa, &n, &info);
        }
        if (info == 0)
            for (var i = 1; i < n; i++)
                for (var j = 0; j < i; j++)
                    a[i * n + j] = a[j * n + i];
        return info;
    }

    /// <summary>
    /// Solves A·X = B for symmetric positive definite A given its factor from <see cref="CholeskyUpper(Span{float},int)"/>.
    /// B is n×nrhs row-major and is overwritten with X.
    /// </summary>
    public static int SolveWithCholeskyUpper(ReadOnlySpan<float> factor, Span<float> b, int n, int nrhs)
    {
        NativeCheck.EnsureOpenBlas();
        Blas.CheckLength(factor.Length, n, n, "factor");
        Blas.CheckLength(b.Length, n, nrhs, "B");
        // Fortran wants B column-major n×nrhs: transpose in and out.
        var bt = new float[n * nrhs];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < nrhs; j++)
                bt[j * n + i] = b[i * nrhs + j];
        var info = 0;
        byte uplo = (byte)'L';
        fixed (float* pa = factor)
        fixed (float* pb = bt)
            OpenBlasNative.spotrs_(&uplo, &n, &nrhs, pa, &n, pb, &n, &info);
        for (var i = 0; i < n; i++)
            for (var j = 0; j < nrhs; j++)
                b[i * nrhs + j] = bt[j * n + i];
        return info;
    }

    /// <summary>
    /// Eigenvalues (ascending) of a symmetric n×n matrix; the input is not modified. When
    /// <paramref name="vectors"/> is given it receives the eigenvectors as rows (row i belongs to eigenvalue i).
    /// </summary>
    public static int SymmetricEigen(ReadOnlySpan<float> a, Span<float> eigenvalues, int n, Span<float> vectors = default)
    {
        NativeCheck.EnsureOpenBlas();
        Blas.CheckLength(a.Length, n, n, "A");
        if (eigenvalues.Length < n) throw new ArgumentException($"eigenvalues has {eigenvalues.Length} slots, needs {n}.");
        var work = a.ToArray();
        byte jobz = vectors.IsEmpty ? (byte)'N' : (byte)'V';
        byte uplo = (byte)'L';
        int info = 0, lwork = -1, liwork = -1, iworkQuery = 0;
        float workQuery = 0;
        fixed (float* pa = work)
        fixed (float* pw = eigenvalues)
        {
            OpenBlasNative.ssyevd_(&jobz, &uplo, &n, pa, &n, pw, &workQuery, &lwork, &iworkQuery, &liwork, &info);
            if (info != 0) return info;
            lwork = Math.Max(1, (int)workQuery);
            liwork = Math.Max(1, iworkQuery);
            var w = new float[lwork];
            var iw = new int[liwork];
            fixed (float* pwork = w)
            fixed (int* piw = iw)
                OpenBlasNative.ssyevd_(&jobz, &uplo, &n, pa, &n, pw, pwork, &lwork, piw, &liwork, &info);
        }
        // Column-major eigenvectors in columns == row-major eigenvectors in rows.
        if (info == 0 && !vectors.IsEmpty) work.AsSpan(0, n * n).CopyTo(vectors);
        return info;
    }

    private static void ZeroStrictLower(Span<float> a, int n)
    {
        for (var i = 1; i < n; i++)
            a.Slice(i * n, i).Clear();
    }
}
