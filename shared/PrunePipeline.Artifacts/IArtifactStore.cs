namespace PrunePipeline.Artifacts;

/// <summary>
/// A flat store of immutable-by-convention objects under '/'-separated keys (see <see cref="ArtifactKeys"/>).
/// Publication is atomic: a reader sees either no object or the complete one, never a partial write.
/// Implementations: <see cref="FolderArtifactStore"/> (embedded) and <see cref="S3ArtifactStore"/> (distributed).
/// </summary>
public interface IArtifactStore
{
    /// <summary>Stores <paramref name="content"/> (read to its end, not disposed) under <paramref name="key"/>,
    /// replacing any previous object atomically.</summary>
    Task PutAsync(string key, Stream content, CancellationToken ct = default);

    /// <summary>Opens the object for streaming reads; the caller disposes the stream.</summary>
    /// <exception cref="ArtifactNotFoundException">No object has this key.</exception>
    Task<Stream> OpenReadAsync(string key, CancellationToken ct = default);

    /// <summary>True when a complete object has this key.</summary>
    Task<bool> ExistsAsync(string key, CancellationToken ct = default);

    /// <summary>Keys starting with <paramref name="prefix"/> (plain string prefix, as in S3), sorted ordinally.
    /// An empty prefix lists everything.</summary>
    Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken ct = default);

    /// <summary>Removes the object; does nothing when it does not exist.</summary>
    Task DeleteAsync(string key, CancellationToken ct = default);
}
