namespace PrunePipeline.Artifacts;

/// <summary>Whole directories (e.g. an HF model directory) as the objects under a key prefix.</summary>
public static class DirectoryArtifactExtensions
{
    /// <summary>Uploads every file under <paramref name="directory"/> (recursively) to <c>{prefix}/{relative/path}</c>.</summary>
    /// <returns>The keys written, sorted.</returns>
    public static async Task<IReadOnlyList<string>> UploadDirectoryAsync(
        this IArtifactStore store, string directory, string prefix, CancellationToken ct = default)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"directory '{directory}' does not exist.");
        prefix = prefix.TrimEnd('/');
        ArtifactKeys.Validate(prefix);
        var keys = new List<string>();
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(directory, file).Replace(Path.DirectorySeparatorChar, '/');
            var key = $"{prefix}/{relative}";
            try
            {
                ArtifactKeys.Validate(key);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"file '{file}' cannot be uploaded: {e.Message}", e);
            }
            await using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
                await store.PutAsync(key, stream, ct);
            keys.Add(key);
        }
        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    /// <summary>Downloads every object under <c>{prefix}/</c> into <paramref name="directory"/>, each file written to a
    /// temporary name and renamed when complete.</summary>
    /// <returns>The local files written.</returns>
    /// <exception cref="ArtifactNotFoundException">Nothing is stored under the prefix.</exception>
    public static async Task<IReadOnlyList<string>> DownloadDirectoryAsync(
        this IArtifactStore store, string prefix, string directory, CancellationToken ct = default)
    {
        prefix = prefix.TrimEnd('/');
        ArtifactKeys.Validate(prefix);
        var keys = await store.ListAsync(prefix + "/", ct);
        if (keys.Count == 0) throw new ArtifactNotFoundException(prefix + "/", "the store (no object under this prefix)");
        var root = Path.GetFullPath(directory);
        var files = new List<string>();
        foreach (var key in keys)
        {
            // Keys are validated ('..' is rejected), so the path cannot leave the directory.
            var path = Path.Combine(root, key[(prefix.Length + 1)..].Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temp = path + $".{Guid.NewGuid():N}.tmp~";
            try
            {
                await using (var source = await store.OpenReadAsync(key, ct))
                await using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                    await source.CopyToAsync(target, ct);
                File.Move(temp, path, overwrite: true);
            }
            finally
            {
                File.Delete(temp);
            }
            files.Add(path);
        }
        return files;
    }
}
