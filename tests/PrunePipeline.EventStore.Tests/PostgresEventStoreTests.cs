using Npgsql;

namespace PrunePipeline.EventStore.Tests;

/// <summary>The contract suite against a real PostgreSQL server, in a fresh schema per test.</summary>
public sealed class PostgresEventStoreTests : EventStoreContractTests, IAsyncLifetime
{
    readonly string _connectionString = TestServers.Require("PRUNE_TEST_POSTGRES");
    readonly string _schema = $"t_{Guid.NewGuid():N}";
    readonly List<PostgresEventStore> _opened = [];
    readonly PostgresEventStore _store;

    public PostgresEventStoreTests() => _store = Open();

    PostgresEventStore Open(EventTypeRegistry? registry = null, IRunSummaryProjection? projection = null)
    {
        var store = new PostgresEventStore(_connectionString, _schema, registry, projection);
        lock (_opened) _opened.Add(store);
        return store;
    }

    protected override IEventStore Store => _store;

    protected override IEventStore OpenAnother(EventTypeRegistry? registry = null, IRunSummaryProjection? projection = null) =>
        Open(registry, projection);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _opened) await store.DisposeAsync();
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task The_tables_follow_the_architecture_schema()
    {
        await _store.InitializeAsync();
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT column_name || ':' || data_type FROM information_schema.columns WHERE table_schema = @s AND table_name = 'events' ORDER BY ordinal_position",
            connection);
        command.Parameters.AddWithValue("s", _schema);
        var columns = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) columns.Add(reader.GetString(0));
        Assert.Equal(["seq_id:bigint", "id:uuid", "stream_id:uuid", "version:bigint", "type:text", "data:json",
            "timestamp:timestamp with time zone", "causation_id:uuid"], columns);
    }

    [Fact]
    public void A_bad_schema_name_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new PostgresEventStore(_connectionString, "Robert'); DROP TABLE x;--"));
        Assert.Contains("schema", e.Message);
    }
}
