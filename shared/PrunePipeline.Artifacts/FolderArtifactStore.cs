namespace PrunePipeline.Artifacts;

/// <summary>
/// The embedded artifact store: one file per key under a root folder. A put writes a temporary file in the target's
/// own directory, fsyncs it and renames it over the target (rename is atomic within a file system), so a reader
/// opens either the old complete file or the new complete file, never a partial one.
/// </summary>
public sealed class FolderArtifactStore : IArtifactStore
{
    // Temporary files carry '~', which no valid key contains: they can never be listed or collide with a key.
    const string TempSuffix = ".tmp~";

    /// <summary>Uses (and creates) <paramref name="root"/>.</summary>
    public FolderArtifactStore(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
    }

    /// <summary>The absolute root folder.</summary>
    public string Root { get; }

    /// <summary>The file that holds <paramref name="key"/> (whether or not it exists).</summary>
    public string PathOf(string key)
    {
        ArtifactKeys.Validate(key);
        return Path.Combine(Root, key.Replace('/', Path.DirectorySeparatorChar));
    }

    public async Task PutAsync(string key, Stream content, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Guid.NewGuid():N}{TempSuffix}";
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await content.CopyToAsync(file, 1 << 20, ct);
                await file.FlushAsync(ct);
                file.Flush(flushToDisk: true); // fsync before the rename: after a crash the name never points at missing data
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp); // no-op after a successful move
        }
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken ct = default)
    {
        var path = PathOf(key);
        try
        {
            // FileShare.Delete: a concurrent put may replace the name while we read the old, complete file.
            Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, useAsync: true);
            return Task.FromResult(stream);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ArtifactNotFoundException(key, $"folder store '{Root}'");
        }
    }

    public Task<bool> ExistsAsync(string key, CancellationToken ct = default) => Task.FromResult(File.Exists(PathOf(key)));

    public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken ct = default)
    {
        ArtifactKeys.ValidatePrefix(prefix);
        // Start at the deepest folder the prefix names, so listing one run does not walk the whole store.
        var slash = prefix.LastIndexOf('/');
        var start = slash < 0 ? Root : Path.Combine(Root, prefix[..slash].Replace('/', Path.DirectorySeparatorChar));
        var keys = new List<string>();
        if (Directory.Exists(start))
        {
            foreach (var file in Directory.EnumerateFiles(start, "*", SearchOption.AllDirectories))
            {
                if (file.EndsWith(TempSuffix, StringComparison.Ordinal)) continue;
                var key = Path.GetRelativePath(Root, file).Replace(Path.DirectorySeparatorChar, '/');
                if (key.StartsWith(prefix, StringComparison.Ordinal)) keys.Add(key);
            }
        }
        keys.Sort(StringComparer.Ordinal);
        return Task.FromResult<IReadOnlyList<string>>(keys);
    }

    public Task DeleteAsync(string key, CancellationToken ct = default)
    {
        try
        {
            File.Delete(PathOf(key));
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing to delete.
        }
        return Task.CompletedTask;
    }

    public override string ToString() => $"folder store '{Root}'";
}
