namespace PrunePipeline.Artifacts;

/// <summary>An artifact was read that does not exist; the message names the key and the store.</summary>
public sealed class ArtifactNotFoundException : FileNotFoundException
{
    public ArtifactNotFoundException(string key, string store)
        : base($"artifact '{key}' does not exist in {store}.", key)
    {
        Key = key;
    }

    /// <summary>The missing key.</summary>
    public string Key { get; }
}
