namespace PrunePipeline.ServiceDefaults.Configuration;

/// <summary>Section "Pipeline:EventStore" (env: <c>Pipeline__EventStore__Store</c>, <c>Pipeline__EventStore__PostgresConnectionString</c>, …).</summary>
public sealed class EventStoreOptions
{
    /// <summary>Sqlite (embedded) or Postgres (distributed).</summary>
    public EventStoreKind Store { get; set; } = EventStoreKind.Sqlite;

    /// <summary>Database file of the SQLite store.</summary>
    public string SqlitePath { get; set; } = ".prune/events.db";

    /// <summary>Npgsql connection string, e.g. Host=postgres;Port=5432;Username=prune;Password=…;Database=prunepipeline.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>Schema that holds the tables.</summary>
    public string PostgresSchema { get; set; } = "public";
}
