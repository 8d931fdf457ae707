namespace PrunePipeline.ServiceDefaults.Configuration;

/// <summary>How the pipeline is deployed (docs/configuration.md).</summary>
public enum PipelineMode
{
    /// <summary>One process hosts all four services: in-memory bus, folder artifacts, SQLite history.</summary>
    Embedded,

    /// <summary>One process per service, talking through RabbitMQ, S3 and PostgreSQL.</summary>
    Distributed,
}
