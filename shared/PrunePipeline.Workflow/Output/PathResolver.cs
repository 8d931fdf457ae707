namespace PrunePipeline.Workflow.Output;

/// <summary>Absolute paths with "." / ".." removed and every symlink along the way followed, so two names of the same
/// file or folder compare equal (hard links aside: our writes replace directory entries, never a file's content).</summary>
public static class PathResolver
{
    private const int MaxLinks = 40;

    public static string Resolve(string path)
    {
        var full = Path.GetFullPath(path);
        var links = 0;
        while (true)
        {
            var root = Path.GetPathRoot(full)!;
            var current = root;
            var parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
            string? restart = null;
            for (var i = 0; i < parts.Length; i++)
            {
                var next = Path.Combine(current, parts[i]);
                var info = new FileInfo(next);
                if (info.LinkTarget is { } target)
                {
                    if (++links > MaxLinks) throw new IOException($"{path}: too many levels of symbolic links.");
                    var targetFull = Path.GetFullPath(target, current);
                    restart = Path.Combine([targetFull, .. parts[(i + 1)..]]);
                    break;
                }
                current = next;
            }
            if (restart is null) return current;
            full = Path.GetFullPath(restart);
        }
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> or lies inside it (both resolved).</summary>
    public static bool IsSameOrUnder(string path, string folder) =>
        path == folder || path.StartsWith(folder.EndsWith(Path.DirectorySeparatorChar) ? folder : folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
