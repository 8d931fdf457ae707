using System.Runtime.InteropServices;

namespace PrunePipeline.Numerics;

/// <summary>
/// Raw P/Invoke declarations for OpenBLAS (CBLAS + Fortran LAPACK symbols). We bind <c>libopenblas.so.0</c> by its
/// exact name: a plain "blas" would resolve to the reference BLAS, which is ~15× slower and would be a silent trap.
/// Callers go through <see cref="Blas"/> and <see cref="Lapack"/>, which check availability first.
/// </summary>
internal static unsafe partial class OpenBlasNative
{
    internal const string Library = "libopenblas.so.0";

    // CBLAS enums.
    internal const int RowMajor = 101;
    internal const int NoTrans = 111;
    internal const int Trans = 112;
    internal const int Upper = 121;
    internal const int Lower = 122;

    [LibraryImport(Library, EntryPoint = "cblas_sgemm")]
    internal static partial void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha,
        float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    [LibraryImport(Library, EntryPoint = "cblas_dgemm")]
    internal static partial void cblas_dgemm(int order, int transA, int transB, int m, int n, int k, double alpha,
        double* a, int lda, double* b, int ldb, double beta, double* c, int ldc);

    [LibraryImport(Library, EntryPoint = "cblas_ssyrk")]
    internal static partial void cblas_ssyrk(int order, int uplo, int trans, int n, int k, float alpha,
        float* a, int lda, float beta, float* c, int ldc);

    [LibraryImport(Library, EntryPoint = "cblas_sgemv")]
    internal static partial void cblas_sgemv(int order, int trans, int m, int n, float alpha, float* a, int lda,
        float* x, int incX, float beta, float* y, int incY);

    [LibraryImport(Library, EntryPoint = "spotrf_")]
    internal static partial void spotrf_(byte* uplo, int* n, float* a, int* lda, int* info);

    [LibraryImport(Library, EntryPoint = "spotri_")]
    internal static partial void spotri_(byte* uplo, int* n, float* a, int* lda, int* info);

    [LibraryImport(Library, EntryPoint = "spotrs_")]
    internal static partial void spotrs_(byte* uplo, int* n, int* nrhs, float* a, int* lda, float* b, int* ldb, int* info);

    [LibraryImport(Library, EntryPoint = "dpotrf_")]
    internal static partial void dpotrf_(byte* uplo, int* n, double* a, int* lda, int* info);

    [LibraryImport(Library, EntryPoint = "dpotri_")]
    internal static partial void dpotri_(byte* uplo, int* n, double* a, int* lda, int* info);

    [LibraryImport(Library, EntryPoint = "ssyevd_")]
    internal static partial void ssyevd_(byte* jobz, byte* uplo, int* n, float* a, int* lda, float* w,
        float* work, int* lwork, int* iwork, int* liwork, int* info);

    [LibraryImport(Library, EntryPoint = "openblas_set_num_threads")]
    internal static partial void openblas_set_num_threads(int n);

    [LibraryImport(Library, EntryPoint = "openblas_get_num_threads")]
    internal static partial int openblas_get_num_threads();
}
