using Npgsql;
using PrunePipeline.Contracts;
using PrunePipeline.EventStore.Marten;
using PrunePipeline.Tests;
using Xunit.Abstractions;

namespace PrunePipeline.EventStore.Tests;

/// <summary>The contract suite against Marten on a real PostgreSQL server, in a fresh schema per test.</summary>
public sealed class MartenEventStoreTests : EventStoreContractTests, IAsyncLifetime
{
    readonly string _connectionString = TestServers.Require("PRUNE_TEST_POSTGRES");
    readonly string _schema = $"t_{Guid.NewGuid():N}";
    readonly List<MartenEventStore> _opened = [];
    readonly MartenEventStore _store;
    readonly ITestOutputHelper _output;

    public MartenEventStoreTests(ITestOutputHelper output)
    {
        _output = output;
        _store = Open();
    }

    MartenEventStore Open(EventTypeRegistry? registry = null, IRunSummaryProjection? projection = null)
    {
        var store = new MartenEventStore(_connectionString, _schema, registry, projection);
        lock (_opened) _opened.Add(store);
        return store;
    }

    protected override IEventStore Store => _store;

    protected override ITestOutputHelper Output => _output;

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
    public async Task Events_are_marten_events_under_the_registry_aliases()
    {
        var run = Guid.NewGuid();
        var message = Guid.NewGuid();
        await _store.AppendAsync(run, StreamTypes.Run, 0, Events.Wrap(Events.Requested(run), Events.Pruned(run, 0, "q")), message);
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT e.type, e.id, e.causation_id, s.version, e.data->>'layer' FROM \"{_schema}\".mt_events e " +
            $"JOIN \"{_schema}\".mt_streams s ON s.id = e.stream_id WHERE e.stream_id = @id ORDER BY e.version", connection);
        command.Parameters.AddWithValue("id", run);
        var rows = new List<(string, Guid, string, long, string?)>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                rows.Add((reader.GetString(0), reader.GetGuid(1), reader.GetString(2), reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        Assert.Equal([("prune_requested", EventIds.Derive(message, run, 0), message.ToString(), 2L, null),
            ("layer_pruned", EventIds.Derive(message, run, 1), message.ToString(), 2L, "q")], rows);
    }

    [Fact]
    public void A_bad_schema_name_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new MartenEventStore(_connectionString, "Robert'); DROP TABLE x;--"));
        Assert.Contains("schema", e.Message);
    }

    [Fact]
    public async Task A_refused_login_is_one_line_naming_the_server()
    {
        var bad = System.Text.RegularExpressions.Regex.Replace(_connectionString, "Password=[^;]*", "Password=not-the-password");
        await using var store = new MartenEventStore(bad, _schema);
        var e = await Assert.ThrowsAsync<PrunePipeline.Errors.ServiceUnavailableException>(() => store.ListRunsAsync());
        Assert.StartsWith("PostgreSQL (Host=", e.Message);
        Assert.DoesNotContain("not-the-password", e.Message);
    }
}
