namespace PrunePipeline.ServiceDefaults.Configuration;

/// <summary>Section "Pipeline:Artifacts" (env: <c>Pipeline__Artifacts__Store</c>, <c>Pipeline__Artifacts__FolderPath</c>, …).</summary>
public sealed class ArtifactOptions
{
    /// <summary>Folder (embedded) or S3 (distributed).</summary>
    public ArtifactStoreKind Store { get; set; } = ArtifactStoreKind.Folder;

    /// <summary>Root folder of the folder store.</summary>
    public string FolderPath { get; set; } = ".prune/artifacts";

    /// <summary>Connection of the S3 store.</summary>
    public S3Options S3 { get; set; } = new();
}
