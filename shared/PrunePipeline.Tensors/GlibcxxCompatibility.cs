using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace PrunePipeline.Tensors;

/// <summary>
/// Makes TorchSharp's native wrapper load on systems whose libstdc++ predates GCC 13 (Debian 12 ships
/// <c>GLIBCXX_3.4.30</c>). <c>libLibTorchSharp.so</c> requires <c>GLIBCXX_3.4.32</c> for a single symbol,
/// <c>std::ios_base_library_init()</c>, which GCC 13 emits to initialise the standard streams. On such a system we
/// build, once per user, a patched copy in a cache folder (the NuGet package is never touched):
/// <list type="number">
/// <item>the copy's <c>GLIBCXX_3.4.32</c> requirement is marked <c>VER_FLG_WEAK</c> (<see cref="ElfVersionNeeds"/>),
/// so the loader no longer rejects the old libstdc++;</item>
/// <item>a tiny library compiled with g++ defines <c>std::ios_base_library_init()</c> (it constructs a
/// <c>std::ios_base::Init</c>, which is what the GCC 13 function does), and <c>patchelf --add-needed</c> makes the copy
/// load it; the copy's <c>$ORIGIN</c> run path finds it beside the copy.</item>
/// </list>
/// Needs <c>g++</c> and <c>patchelf</c> only on such systems (scripts/setup.sh installs them there).
/// </summary>
internal static class GlibcxxCompatibility
{
    public const string MissingVersion = "GLIBCXX_3.4.32";
    public const string ShimFileName = "libprunepipeline_glibcxx_compat.so";

    private const string ShimSource =
        "#include <ios>\n" +
        "// GCC 13's libstdc++ exports this; older ones initialise the streams in ios_base::Init instead.\n" +
        "namespace std { void ios_base_library_init() { static ios_base::Init init; } }\n";

    /// <summary>True when the libstdc++ this process uses lacks <see cref="MissingVersion"/>.</summary>
    public static bool IsNeeded()
    {
        var libstdcxx = LoadedLibstdcxx();
        if (libstdcxx is null) return false; // not a glibc/libstdc++ system: nothing to fix
        return !ContainsAscii(File.ReadAllBytes(libstdcxx), MissingVersion + "\0");
    }

    /// <summary>
    /// The path of a patched copy of <paramref name="original"/>, building it if this user has none yet. The cache
    /// folder is keyed by the original's SHA-256, so a TorchSharp update gets a fresh copy; it is filled in a temp
    /// folder and renamed into place, so concurrent processes never see a half-written library.
    /// </summary>
    public static string PatchedCopy(string original)
    {
        var bytes = File.ReadAllBytes(original);
        var key = Convert.ToHexString(SHA256.HashData(bytes))[..16].ToLowerInvariant();
        var folder = Path.Combine(CacheRoot(), key);
        var patched = Path.Combine(folder, LibTorchFiles.TorchSharpFileName);
        if (File.Exists(patched) && File.Exists(Path.Combine(folder, ShimFileName))) return patched;

        Directory.CreateDirectory(CacheRoot());
        var temp = Path.Combine(CacheRoot(), $".{key}.{Environment.ProcessId}.{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            if (ElfVersionNeeds.MarkWeak(bytes, MissingVersion) == 0)
                throw new TorchUnavailableException(
                    $"{original} does not require {MissingVersion}, yet it does not load: not the known Debian 12 problem.");
            var copy = Path.Combine(temp, LibTorchFiles.TorchSharpFileName);
            File.WriteAllBytes(copy, bytes);
            var source = Path.Combine(temp, "glibcxx_compat.cpp");
            File.WriteAllText(source, ShimSource, Encoding.ASCII);
            Run("g++", "-shared", "-fPIC", "-O2", $"-Wl,-soname,{ShimFileName}", "-o",
                Path.Combine(temp, ShimFileName), source);
            Run("patchelf", "--add-needed", ShimFileName, copy);
            File.Delete(source);
            try { Directory.Move(temp, folder); }
            catch (IOException) when (File.Exists(patched)) { Directory.Delete(temp, true); } // another process won
            return patched;
        }
        catch
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, true);
            throw;
        }
    }

    /// <summary><c>PRUNE_TORCH_CACHE</c>, else <c>$XDG_CACHE_HOME/prunepipeline/libtorchsharp</c>, else under ~/.cache.</summary>
    public static string CacheRoot()
    {
        if (Environment.GetEnvironmentVariable("PRUNE_TORCH_CACHE") is { Length: > 0 } explicitRoot) return explicitRoot;
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = xdg is { Length: > 0 } ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "prunepipeline", "libtorchsharp");
    }

    private static string? LoadedLibstdcxx()
    {
        // The host (dotnet) links libstdc++, so the copy the loader will use is already mapped.
        if (File.Exists("/proc/self/maps"))
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                var at = line.IndexOf('/');
                if (at >= 0 && line.AsSpan(at).Contains("/libstdc++.so", StringComparison.Ordinal)) return line[at..];
            }
        foreach (var dir in new[] { "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib" })
            if (File.Exists(Path.Combine(dir, "libstdc++.so.6"))) return Path.Combine(dir, "libstdc++.so.6");
        return null;
    }

    private static bool ContainsAscii(byte[] haystack, string needle) =>
        haystack.AsSpan().IndexOf(Encoding.ASCII.GetBytes(needle)) >= 0;

    private static void Run(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        Process process;
        try { process = Process.Start(start)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new TorchUnavailableException(
                $"This system's libstdc++ lacks {MissingVersion}, which TorchSharp's native wrapper needs; fixing that " +
                $"needs '{tool}', which is not installed. Run scripts/setup.sh (or apt-get install g++ patchelf).", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new TorchUnavailableException(
                    $"'{tool} {string.Join(' ', args)}' failed (exit {process.ExitCode}): {stderr.Result.Trim()}");
        }
    }
}
