namespace PrunePipeline.Artifacts;

/// <summary>Where an <see cref="S3ArtifactStore"/> connects (MinIO, moto or AWS).</summary>
/// <param name="ServiceUrl">Endpoint, e.g. http://127.0.0.1:9000 (path-style addressing is used).</param>
/// <param name="Bucket">Bucket that holds every artifact.</param>
/// <param name="AccessKey">Access key id.</param>
/// <param name="SecretKey">Secret access key.</param>
/// <param name="Region">Signing region; MinIO and moto accept any.</param>
public sealed record S3ArtifactStoreOptions(
    string ServiceUrl,
    string Bucket,
    string AccessKey,
    string SecretKey,
    string Region = "us-east-1");
