using Marten;
using Npgsql;

namespace PrunePipeline.EventStore.Marten;

// Reads. Events are read from Marten's mt_events with plain SQL and deserialized by the EventTypeRegistry, not by
// Marten: an alias this process does not know then reads as JSON (as on SQLite) instead of failing or being resolved
// through the stored CLR type name, and ReadAll is exactly "seq_id > after", which the append lock makes commit order.
public sealed partial class MartenEventStore
{
    const string EventColumns = "seq_id, id, stream_id, version, type, data::text, timestamp, causation_id";

    public async Task<IReadOnlyList<StoredEvent>> ReadStreamAsync(Guid streamId, long fromVersion = 1, CancellationToken ct = default) =>
        await ReadEventsAsync($"SELECT {EventColumns} FROM {_s}.mt_events WHERE stream_id = @a AND version >= @b ORDER BY version",
            streamId, fromVersion, ct);

    public async Task<IReadOnlyList<StoredEvent>> ReadAllAsync(long afterSequence, int maxCount = 1000, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        return await ReadEventsAsync($"SELECT {EventColumns} FROM {_s}.mt_events WHERE seq_id > @a ORDER BY seq_id LIMIT @b",
            afterSequence, maxCount, ct);
    }

    public async Task<long> GetStreamVersionAsync(Guid streamId, CancellationToken ct = default)
    {
        await InitializeAsync(ct);
        await using var session = _store.QuerySession();
        return (await session.Events.FetchStreamStateAsync(streamId, ct))?.Version ?? 0;
    }

    public async Task<RunSummary?> GetRunAsync(Guid runId, CancellationToken ct = default)
    {
        await InitializeAsync(ct);
        await using var session = _store.QuerySession();
        return (await session.LoadAsync<RunRecord>(runId, ct))?.Summary;
    }

    public async Task<IReadOnlyList<RunSummary>> ListRunsAsync(int limit = 100, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await InitializeAsync(ct);
        await using var session = _store.QuerySession();
        var records = await session.Query<RunRecord>().Where(r => r.Summary != null)
            .OrderByDescending(r => r.Created).ThenBy(r => r.Id).Take(limit).ToListAsync(ct);
        return [.. records.Select(r => r.Summary!)];
    }

    async Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(string sql, object a, object b, CancellationToken ct)
    {
        await InitializeAsync(ct);
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("a", a);
        command.Parameters.AddWithValue("b", b);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<StoredEvent>();
        while (await reader.ReadAsync(ct))
        {
            var type = reader.GetString(4);
            list.Add(new StoredEvent(reader.GetInt64(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetInt64(3), type,
                _registry.Deserialize(type, reader.GetString(5)), reader.GetFieldValue<DateTimeOffset>(6),
                reader.IsDBNull(7) || !Guid.TryParse(reader.GetString(7), out var causation) ? null : causation));
        }
        return list;
    }
}
