namespace PrunePipeline.ServiceDefaults.Configuration;

/// <summary>Which artifact store implementation to use.</summary>
public enum ArtifactStoreKind
{
    Folder,
    S3,
}
