using System.Reflection;

namespace PrunePipeline.Tensors;

/// <summary>
/// Where the native files live. Build output does not carry libtorch (≈ 500 MB per folder otherwise): a built app
/// loads it from the NuGet package folder recorded at build time, a published app from its own
/// <c>runtimes/linux-x64/native</c> folder, a CUDA build from its output folder. <c>PRUNE_LIBTORCH_DIR</c> /
/// <c>PRUNE_LIBTORCHSHARP_DIR</c> override both for unusual layouts.
/// </summary>
internal sealed record LibTorchFiles(string TorchDirectory, string TorchSharpLibrary)
{
    public const string TorchSharpFileName = "libLibTorchSharp.so";

    /// <summary>Finds libtorch and libLibTorchSharp.so, or throws naming every folder that was searched.</summary>
    public static LibTorchFiles Locate()
    {
        var torchDirs = Candidates("PRUNE_LIBTORCH_DIR", "PrunePipeline.LibTorchDirectory");
        var sharpDirs = Candidates("PRUNE_LIBTORCHSHARP_DIR", "PrunePipeline.LibTorchSharpDirectory");
        var torch = torchDirs.FirstOrDefault(d => File.Exists(Path.Combine(d, "libtorch_cpu.so")))
            ?? throw new TorchUnavailableException(
                "libtorch (libtorch_cpu.so) was not found in: " + string.Join(", ", torchDirs) +
                ". Run 'dotnet restore' (it fetches the libtorch-cpu-linux-x64 package) or set PRUNE_LIBTORCH_DIR.");
        var sharp = sharpDirs.Select(d => Path.Combine(d, TorchSharpFileName)).FirstOrDefault(File.Exists)
            ?? throw new TorchUnavailableException(
                $"{TorchSharpFileName} was not found in: " + string.Join(", ", sharpDirs) +
                ". Run 'dotnet restore' (it fetches the TorchSharp package) or set PRUNE_LIBTORCHSHARP_DIR.");
        return new LibTorchFiles(torch, sharp);
    }

    private static List<string> Candidates(string variable, string metadataKey)
    {
        var dirs = new List<string>();
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } overridden) dirs.Add(overridden);
        var app = AppContext.BaseDirectory;
        dirs.Add(Path.Combine(app, "runtimes", "linux-x64", "native"));
        dirs.Add(app);
        var recorded = typeof(LibTorchFiles).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == metadataKey)?.Value;
        if (recorded is { Length: > 0 }) dirs.Add(recorded);
        return dirs.Select(Path.GetFullPath).Distinct().ToList();
    }
}
