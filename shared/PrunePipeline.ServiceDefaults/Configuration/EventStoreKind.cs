namespace PrunePipeline.ServiceDefaults.Configuration;

/// <summary>Which event store implementation to use.</summary>
public enum EventStoreKind
{
    Sqlite,
    Postgres,
}
