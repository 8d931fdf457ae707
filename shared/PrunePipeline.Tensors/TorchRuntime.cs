using System.Runtime.InteropServices;
using TorchSharp;

namespace PrunePipeline.Tensors;

/// <summary>
/// The one place that starts libtorch: call <see cref="Initialize"/> before the first tensor operation (every entry
/// point that computes does; it is idempotent and thread-safe). It
/// <list type="bullet">
/// <item>pins oneMKL's code path (<c>MKL_CBWR</c>, unless the user set it) before libtorch loads, because MKL's results
/// otherwise depend on buffer alignment and thread count, and masks must be bit-identical across processes;</item>
/// <item>loads libtorch and TorchSharp's wrapper from one location (<see cref="LibTorchFiles"/>), through a patched
/// copy of the wrapper where the system libstdc++ is too old (<see cref="GlibcxxCompatibility"/>);</item>
/// <item>sets cuBLAS's fixed workspace (<c>CUBLAS_WORKSPACE_CONFIG</c>), which makes its GEMMs deterministic on CUDA.</item>
/// </list>
/// </summary>
public static class TorchRuntime
{
    private static readonly Lock Gate = new();
    private static bool _initialized;
    private static IntPtr _torchSharp;

    /// <summary>The <c>MKL_CBWR</c> value set when the user set none: the CPU's best code path, thread-count independent.</summary>
    public const string DefaultMklCbwr = "AUTO,STRICT";

    /// <summary>True once libtorch is loaded.</summary>
    public static bool IsInitialized { get { lock (Gate) return _initialized; } }

    /// <summary>Whether the patched wrapper copy was needed on this machine (for diagnostics and the bench verb).</summary>
    public static bool UsesGlibcxxCompatibility { get; private set; }

    /// <summary>
    /// Loads libtorch (once) and applies the thread count: <paramref name="threads"/> &gt; 0 sets torch's intra-op
    /// thread pool; null or 0 keeps torch's default (one per physical core) or what an earlier call set.
    /// </summary>
    /// <exception cref="TorchUnavailableException">libtorch is missing or cannot be loaded.</exception>
    public static void Initialize(int? threads = null)
    {
        if (threads < 0) throw new ArgumentOutOfRangeException(nameof(threads), threads, "thread count must be ≥ 0");
        lock (Gate)
        {
            if (!_initialized)
            {
                Load();
                _initialized = true;
            }
            if (threads is > 0) torch.set_num_threads(threads.Value);
        }
    }

    /// <summary>torch's intra-op thread count.</summary>
    public static int Threads { get { Initialize(); return torch.get_num_threads(); } }

    private static void Load()
    {
        NativeEnvironment.SetDefault("MKL_CBWR", DefaultMklCbwr);
        NativeEnvironment.SetDefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8");
        var files = LibTorchFiles.Locate();
        try
        {
            // Dependencies first, by absolute path: the wrapper's DT_NEEDED names then resolve to these (by soname),
            // wherever the wrapper itself lives.
            foreach (var name in new[] { "libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so" })
            {
                var path = Path.Combine(files.TorchDirectory, name);
                if (File.Exists(path)) NativeLibrary.Load(path);
            }
            var wrapper = files.TorchSharpLibrary;
            if (GlibcxxCompatibility.IsNeeded())
            {
                wrapper = GlibcxxCompatibility.PatchedCopy(wrapper);
                UsesGlibcxxCompatibility = true;
            }
            _torchSharp = NativeLibrary.Load(wrapper);
        }
        catch (DllNotFoundException e)
        {
            throw new TorchUnavailableException($"libtorch did not load from {files.TorchDirectory}: {e.Message}", e);
        }

        // TorchSharp's [DllImport("LibTorchSharp")] would otherwise probe the app folder (where no wrapper is, or an
        // unpatched one) before the loaded soname.
        try { NativeLibrary.SetDllImportResolver(typeof(torch).Assembly, Resolve); }
        catch (InvalidOperationException) { /* TorchSharp set its own; its by-name probing finds the loaded soname */ }

        if (!torch.TryInitializeDeviceType(DeviceType.CPU))
            throw new TorchUnavailableException("TorchSharp did not initialise its CPU backend after libtorch loaded.");
        if (File.Exists(Path.Combine(files.TorchDirectory, "libtorch_cuda.so")))
            torch.TryInitializeDeviceType(DeviceType.CUDA);
        // torch.use_deterministic_algorithms is "not implemented" in TorchSharp 0.107; the operations we use (GEMM,
        // element-wise, reductions, Cholesky) are deterministic on CPU with MKL_CBWR and on CUDA with the cuBLAS
        // workspace setting above (no atomics-based scatter/index_add in our code).
    }

    private static IntPtr Resolve(string name, System.Reflection.Assembly assembly, DllImportSearchPath? path) =>
        name is "LibTorchSharp" or "libLibTorchSharp" or LibTorchFiles.TorchSharpFileName ? _torchSharp : IntPtr.Zero;
}
