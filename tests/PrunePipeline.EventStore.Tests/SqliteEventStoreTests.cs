namespace PrunePipeline.EventStore.Tests;

public sealed class SqliteEventStoreTests : EventStoreContractTests, IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("prune-events").FullName;
    readonly SqliteEventStore _store;

    public SqliteEventStoreTests() => _store = new SqliteEventStore(Path.Combine(_dir, "events.db"));

    protected override IEventStore Store => _store;

    protected override IEventStore OpenAnother(EventTypeRegistry? registry = null, IRunSummaryProjection? projection = null) =>
        new SqliteEventStore(_store.Path, registry, projection);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task The_database_is_in_wal_mode()
    {
        await _store.InitializeAsync();
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_store.Path}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }
}
