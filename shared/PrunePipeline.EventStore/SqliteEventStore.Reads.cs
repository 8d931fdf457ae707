using Microsoft.Data.Sqlite;

namespace PrunePipeline.EventStore;

// Queries of the SQLite store.
public sealed partial class SqliteEventStore
{
    const string EventColumns = "seq_id, id, stream_id, version, type, data, timestamp, causation_id";
    const string SummaryColumns = "run_id, status, method, stage, created, updated, perplexities, reason, layers_pruned, version";

    public async Task<IReadOnlyList<StoredEvent>> ReadStreamAsync(Guid streamId, long fromVersion = 1, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await ReadEventsAsync(connection,
            $"SELECT {EventColumns} FROM events WHERE stream_id = $id AND version >= $from ORDER BY version", ct,
            ("$id", Key(streamId)), ("$from", fromVersion));
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadAllAsync(long afterSequence, int maxCount = 1000, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        await using var connection = await OpenAsync(ct);
        return await ReadEventsAsync(connection,
            $"SELECT {EventColumns} FROM events WHERE seq_id > $after ORDER BY seq_id LIMIT $max", ct,
            ("$after", afterSequence), ("$max", maxCount));
    }

    public async Task<long> GetStreamVersionAsync(Guid streamId, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await GetStreamVersionAsync(connection, null, streamId, ct);
    }

    public async Task<RunSummary?> GetRunAsync(Guid runId, CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        return await GetRunAsync(connection, null, runId, ct);
    }

    public async Task<IReadOnlyList<RunSummary>> ListRunsAsync(int limit = 100, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var connection = await OpenAsync(ct);
        await using var command = Command(connection, null,
            $"SELECT {SummaryColumns} FROM run_summaries ORDER BY created DESC, run_id LIMIT $limit", [("$limit", limit)]);
        return await ReadSummariesAsync(command, ct);
    }

    static async Task<RunSummary?> GetRunAsync(SqliteConnection connection, SqliteTransaction? tx, Guid runId, CancellationToken ct)
    {
        await using var command = Command(connection, tx, $"SELECT {SummaryColumns} FROM run_summaries WHERE run_id = $id", [("$id", Key(runId))]);
        return (await ReadSummariesAsync(command, ct)).SingleOrDefault();
    }

    static async Task<List<RunSummary>> ReadSummariesAsync(SqliteCommand command, CancellationToken ct)
    {
        var list = new List<RunSummary>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            list.Add(new RunSummary(Guid.Parse(reader.GetString(0)), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetString(3), ParseTime(reader.GetString(4)), ParseTime(reader.GetString(5)), SummaryJson.Read(reader.GetString(6)),
                reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetInt32(8), reader.GetInt64(9)));
        return list;
    }

    async Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(SqliteConnection connection, string sql, CancellationToken ct, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, null, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<StoredEvent>();
        while (await reader.ReadAsync(ct))
        {
            var type = reader.GetString(4);
            list.Add(new StoredEvent(reader.GetInt64(0), Guid.Parse(reader.GetString(1)), Guid.Parse(reader.GetString(2)), reader.GetInt64(3),
                type, _registry.Deserialize(type, reader.GetString(5)), ParseTime(reader.GetString(6)),
                reader.IsDBNull(7) ? null : Guid.Parse(reader.GetString(7))));
        }
        return list;
    }
}
