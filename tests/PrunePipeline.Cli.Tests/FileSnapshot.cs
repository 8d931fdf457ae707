using System.Security.Cryptography;

namespace PrunePipeline.Cli.Tests;

/// <summary>Every file under a folder (relative path → SHA-256), to show that a refused command changed nothing.</summary>
internal static class FileSnapshot
{
    public static Dictionary<string, string> Of(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))), StringComparer.Ordinal);

    public static void AssertUnchanged(Dictionary<string, string> before, string root)
    {
        var after = Of(root);
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, hash) in before) Assert.True(after[path] == hash, $"{path} changed");
    }
}
