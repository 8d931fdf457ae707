namespace PrunePipeline.ServiceDefaults.Configuration;

/// <summary>Section "Pipeline:Artifacts:S3" (env: <c>Pipeline__Artifacts__S3__ServiceUrl</c>, …).</summary>
public sealed class S3Options
{
    /// <summary>Endpoint, e.g. http://minio:9000 (path-style addressing is used).</summary>
    public string? ServiceUrl { get; set; }

    public string Bucket { get; set; } = "prunepipeline";

    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    public string Region { get; set; } = "us-east-1";

    /// <summary>Create the bucket at start-up when it is missing.</summary>
    public bool CreateBucket { get; set; } = true;
}
