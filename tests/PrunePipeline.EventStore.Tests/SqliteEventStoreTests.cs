using Xunit.Abstractions;

namespace PrunePipeline.EventStore.Tests;

public sealed class SqliteEventStoreTests(ITestOutputHelper output) : EventStoreContractTests, IDisposable
{
    readonly SqliteEventStore _store = new(Path.Combine(Directory.CreateTempSubdirectory("prune-events").FullName, "events.db"));

    protected override IEventStore Store => _store;

    protected override ITestOutputHelper Output => output;

    protected override IEventStore OpenAnother(EventTypeRegistry? registry = null, IRunSummaryProjection? projection = null) =>
        new SqliteEventStore(_store.Path, registry, projection);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Path.GetDirectoryName(_store.Path)!, recursive: true);
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
