using Microsoft.Extensions.Configuration;

namespace PrunePipeline.ServiceDefaults.Configuration;

/// <summary>
/// Everything that differs between the embedded and the distributed pipeline, bound from configuration section
/// "Pipeline" (appsettings.json, then environment variables such as <c>Pipeline__Bus__Transport=RabbitMq</c>).
/// The schema is documented in docs/configuration.md.
/// </summary>
public sealed class PipelineOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Pipeline";

    public PipelineMode Mode { get; set; } = PipelineMode.Embedded;

    public BusOptions Bus { get; set; } = new();

    public ArtifactOptions Artifacts { get; set; } = new();

    public EventStoreOptions EventStore { get; set; } = new();

    /// <summary>When set, the process writes its health status ("Healthy", …) to this file every 10 s
    /// (docker-compose's healthcheck reads it; a worker has no HTTP port).</summary>
    public string? HealthFile { get; set; }

    /// <summary>Where this worker computes: cpu, cuda, cuda:N or auto (default: CUDA when available, else CPU).</summary>
    public string? Device { get; set; }

    /// <summary>Compute precision: fp32 (default), bf16 or fp16.</summary>
    public string? ComputeDType { get; set; }

    /// <summary>CPU threads for torch (default: one per physical core).</summary>
    public int? Threads { get; set; }

    /// <summary>The folders workers may open model and data files under.</summary>
    public RootsOptions Roots { get; set; } = new();

    /// <summary>Message and failure-reason size limits.</summary>
    public LimitsOptions Limits { get; set; } = new();

    /// <summary>Binds section "Pipeline" of <paramref name="configuration"/> and validates it.</summary>
    /// <exception cref="InvalidOperationException">A setting is missing or inconsistent (the message names the key).</exception>
    public static PipelineOptions FromConfiguration(IConfiguration configuration)
    {
        var options = new PipelineOptions();
        try
        {
            configuration.GetSection(SectionName).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"configuration section '{SectionName}' is invalid: {e.Message}", e);
        }
        options.Validate();
        return options;
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the first key that is missing or inconsistent.</summary>
    public void Validate()
    {
        if (Mode == PipelineMode.Distributed && Bus.Transport == BusTransport.InMemory)
            Fail("Bus:Transport", "is InMemory but Mode is Distributed: separate processes need RabbitMq");
        if (Bus.Transport == BusTransport.RabbitMq)
        {
            if (string.IsNullOrWhiteSpace(Bus.RabbitMqUri)) Fail("Bus:RabbitMqUri", "is required when Bus:Transport is RabbitMq");
            if (!Uri.TryCreate(Bus.RabbitMqUri, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps" or "rabbitmq"))
                Fail("Bus:RabbitMqUri", $"'{Redact(Bus.RabbitMqUri)}' is not an amqp:// URI");
        }
        if (Bus.PrefetchCount < 1) Fail("Bus:PrefetchCount", $"must be ≥ 1, got {Bus.PrefetchCount}");
        if (Threads is < 1) Fail("Threads", $"must be ≥ 1, got {Threads}");

        if (Artifacts.Store == ArtifactStoreKind.Folder && string.IsNullOrWhiteSpace(Artifacts.FolderPath))
            Fail("Artifacts:FolderPath", "is required when Artifacts:Store is Folder");
        if (Artifacts.Store == ArtifactStoreKind.S3)
        {
            if (!Uri.TryCreate(Artifacts.S3.ServiceUrl, UriKind.Absolute, out _)) Fail("Artifacts:S3:ServiceUrl", $"'{Artifacts.S3.ServiceUrl}' is not an absolute URL");
            if (string.IsNullOrWhiteSpace(Artifacts.S3.Bucket)) Fail("Artifacts:S3:Bucket", "is required");
            if (string.IsNullOrWhiteSpace(Artifacts.S3.AccessKey)) Fail("Artifacts:S3:AccessKey", "is required");
            if (string.IsNullOrWhiteSpace(Artifacts.S3.SecretKey)) Fail("Artifacts:S3:SecretKey", "is required");
        }

        if (EventStore.Store == EventStoreKind.Sqlite && string.IsNullOrWhiteSpace(EventStore.SqlitePath))
            Fail("EventStore:SqlitePath", "is required when EventStore:Store is Sqlite");
        if (EventStore.Store == EventStoreKind.Postgres && string.IsNullOrWhiteSpace(EventStore.PostgresConnectionString))
            Fail("EventStore:PostgresConnectionString", "is required when EventStore:Store is Postgres");
        if (Limits.MaxMessageBytes < 4096) Fail("Limits:MaxMessageBytes", $"must be ≥ 4096, got {Limits.MaxMessageBytes}");
        if (Limits.MaxReasonChars < 80) Fail("Limits:MaxReasonChars", $"must be ≥ 80, got {Limits.MaxReasonChars}");
    }

    static void Fail(string key, string problem) =>
        throw new InvalidOperationException($"configuration '{SectionName}:{key}' {problem} (env var {SectionName}__{key.Replace(":", "__")}).");

    // Never echo a password from a URI into a log line.
    static string Redact(string? uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var u) && u.UserInfo.Contains(':') ? uri!.Replace(u.UserInfo, u.UserInfo.Split(':')[0] + ":***") : uri ?? "";
}
