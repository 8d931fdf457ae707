using System.Runtime.InteropServices;

namespace PrunePipeline.Numerics;

/// <summary>
/// Loads OpenBLAS once and turns a missing library into one clear message instead of a DllNotFoundException deep
/// inside a kernel. There is deliberately no managed fallback: a 100× slower path that runs silently is worse than
/// an error that says what to install.
/// </summary>
public static class NativeCheck
{
    private static readonly Lazy<string?> LoadError = new(TryLoad);

    /// <summary>Throws <see cref="BlasUnavailableException"/> when OpenBLAS is not installed.</summary>
    public static void EnsureOpenBlas()
    {
        if (LoadError.Value is { } error)
            throw new BlasUnavailableException(error);
    }

    /// <summary>True when OpenBLAS loads; never throws.</summary>
    public static bool IsOpenBlasAvailable => LoadError.Value is null;

    private static string? TryLoad()
    {
        if (!NativeLibrary.TryLoad(OpenBlasNative.Library, out var handle))
            return $"OpenBLAS ({OpenBlasNative.Library}) was not found. Install it with " +
                   "'apt-get install -y libopenblas0-pthread' (Debian/Ubuntu); PrunePipeline does not fall back to " +
                   "a slow managed GEMM.";
        foreach (var symbol in new[] { "cblas_sgemm", "spotrf_", "ssyevd_" })
            if (!NativeLibrary.TryGetExport(handle, symbol, out _))
                return $"{OpenBlasNative.Library} was loaded but does not export '{symbol}'; install the Debian " +
                       "package libopenblas0-pthread.";
        return null;
    }
}
