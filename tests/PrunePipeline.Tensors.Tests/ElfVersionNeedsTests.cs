using System.Diagnostics;
using System.Text.RegularExpressions;
using PrunePipeline.Tensors;

namespace PrunePipeline.Tensors.Tests;

/// <summary>Our ELF reader/patcher checked against binutils' readelf, an independent implementation.</summary>
public class ElfVersionNeedsTests
{
    private static string Wrapper() => LibTorchFiles.Locate().TorchSharpLibrary;

    [Fact]
    public void ReadsTheSameRequirementsAsReadelf()
    {
        var ours = ElfVersionNeeds.Read(File.ReadAllBytes(Wrapper()))
            .Select(r => $"{r.File} {r.Version} {r.Flags}").Order().ToList();
        Assert.Equal(Readelf(Wrapper()), ours);
        Assert.Contains($"libstdc++.so.6 {GlibcxxCompatibility.MissingVersion} 0", ours);
    }

    [Fact]
    public void MarkWeakFlagsOnlyTheNamedVersion()
    {
        var bytes = File.ReadAllBytes(Wrapper());
        Assert.Equal(1, ElfVersionNeeds.MarkWeak(bytes, GlibcxxCompatibility.MissingVersion));
        var copy = Path.Combine(Path.GetTempPath(), $"elf-weak-{Guid.NewGuid():N}.so");
        try
        {
            File.WriteAllBytes(copy, bytes);
            var expected = Readelf(Wrapper()).Select(line => line.StartsWith($"libstdc++.so.6 {GlibcxxCompatibility.MissingVersion} ")
                ? $"libstdc++.so.6 {GlibcxxCompatibility.MissingVersion} {ElfVersionNeeds.WeakFlag}" : line).ToList();
            Assert.Equal(expected, Readelf(copy));
        }
        finally { File.Delete(copy); }
    }

    [Fact]
    public void RejectsFilesThatAreNotElf()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(new byte[100]));
        var truncated = File.ReadAllBytes(Wrapper()).AsSpan(0, 4096).ToArray();
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(truncated));
    }

    [Fact]
    public void ThePatchedCopyIsUsedOnlyWhereTheSystemLibstdcxxIsTooOld()
    {
        TorchSharp.torch.ones(1).Dispose(); // loads torch
        Assert.Equal(GlibcxxCompatibility.IsNeeded(), TorchRuntime.UsesGlibcxxCompatibility);
        if (!GlibcxxCompatibility.IsNeeded()) return;
        var patched = GlibcxxCompatibility.PatchedCopy(Wrapper());
        Assert.NotEqual(Path.GetFullPath(Wrapper()), Path.GetFullPath(patched));
        Assert.Contains($"libstdc++.so.6 {GlibcxxCompatibility.MissingVersion} {ElfVersionNeeds.WeakFlag}", Readelf(patched));
        Assert.Contains($"[{GlibcxxCompatibility.ShimFileName}]", Tool("readelf", "-d", patched));
    }

    /// <summary>"file version flags" lines from <c>readelf -V</c> (flags: none → 0, WEAK → 2).</summary>
    private static List<string> Readelf(string path)
    {
        var lines = new List<string>();
        string? file = null;
        var inNeeds = false;
        foreach (var line in Tool("readelf", "-V", "-W", path).Split('\n'))
        {
            if (line.Contains(".gnu.version_r")) { inNeeds = true; continue; }
            if (!inNeeds) continue;
            if (Regex.Match(line, @"File: (\S+)") is { Success: true } f) file = f.Groups[1].Value;
            else if (Regex.Match(line, @"Name: (\S+)\s+Flags: (\S+)") is { Success: true } v)
                lines.Add($"{file} {v.Groups[1].Value} {(v.Groups[2].Value == "none" ? 0 : v.Groups[2].Value == "WEAK" ? 2 : -1)}");
        }
        return lines.Order().ToList();
    }

    private static string Tool(string name, params string[] args)
    {
        var start = new ProcessStartInfo(name) { RedirectStandardOutput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }
}
