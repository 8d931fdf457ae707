using System.Globalization;
using Microsoft.Data.Sqlite;

namespace PrunePipeline.EventStore;

// Schema, connections and the small SQL helpers of the SQLite store.
public sealed partial class SqliteEventStore
{
    const string Schema = """
        CREATE TABLE IF NOT EXISTS streams(
            id TEXT PRIMARY KEY, type TEXT NOT NULL, version INTEGER NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS events(
            seq_id INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, stream_id TEXT NOT NULL REFERENCES streams(id),
            version INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, timestamp TEXT NOT NULL, causation_id TEXT,
            UNIQUE(stream_id, version));
        CREATE TABLE IF NOT EXISTS run_summaries(
            run_id TEXT PRIMARY KEY, status TEXT NOT NULL, method TEXT, stage TEXT NOT NULL, created TEXT NOT NULL,
            updated TEXT NOT NULL, perplexities TEXT NOT NULL, reason TEXT, layers_pruned INTEGER NOT NULL, version INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS run_summaries_created ON run_summaries(created);
        """;

    public async Task InitializeAsync(CancellationToken ct = default)
    {
        if (_schemaReady) return;
        await _schemaLock.WaitAsync(ct);
        try
        {
            if (_schemaReady) return;
            await using var connection = new SqliteConnection(_connectionString);
            await connection.OpenAsync(ct);
            // WAL lets readers (watch, runs) proceed while a writer appends; the setting persists in the file.
            await ExecuteAsync(connection, null, "PRAGMA busy_timeout = 30000; PRAGMA journal_mode = WAL;", ct);
            await using (var tx = (SqliteTransaction)await connection.BeginTransactionAsync(ct))
            {
                await ExecuteAsync(connection, tx, Schema, ct);
                await tx.CommitAsync(ct);
            }
            _schemaReady = true;
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        await InitializeAsync(ct);
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        await ExecuteAsync(connection, null, "PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON;", ct);
        return connection;
    }

    static string Key(Guid id) => id.ToString("D");

    static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    static DateTimeOffset ParseTime(string s) =>
        new(DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), TimeSpan.Zero);

    static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? tx, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? tx, string sql, CancellationToken ct, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, tx, sql, parameters);
        await command.ExecuteNonQueryAsync(ct);
    }

    static async Task<object?> ScalarAsync(SqliteConnection connection, SqliteTransaction? tx, string sql, CancellationToken ct, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, tx, sql, parameters);
        var value = await command.ExecuteScalarAsync(ct);
        return value is DBNull ? null : value;
    }

    static async Task<long?> FindVersionAsync(SqliteConnection connection, SqliteTransaction tx, Guid eventId, CancellationToken ct) =>
        (long?)await ScalarAsync(connection, tx, "SELECT version FROM events WHERE id = $id", ct, ("$id", Key(eventId)));

    static async Task<long> GetStreamVersionAsync(SqliteConnection connection, SqliteTransaction? tx, Guid streamId, CancellationToken ct) =>
        (long?)await ScalarAsync(connection, tx, "SELECT version FROM streams WHERE id = $id", ct, ("$id", Key(streamId))) ?? 0;

    static Task UpsertSummaryAsync(SqliteConnection connection, SqliteTransaction tx, RunSummary s, CancellationToken ct) =>
        ExecuteAsync(connection, tx, """
            INSERT INTO run_summaries(run_id, status, method, stage, created, updated, perplexities, reason, layers_pruned, version)
            VALUES ($id, $status, $method, $stage, $created, $updated, $ppl, $reason, $layers, $version)
            ON CONFLICT(run_id) DO UPDATE SET status = excluded.status, method = excluded.method, stage = excluded.stage,
                updated = excluded.updated, perplexities = excluded.perplexities, reason = excluded.reason,
                layers_pruned = excluded.layers_pruned, version = excluded.version
            """, ct, ("$id", Key(s.RunId)), ("$status", s.Status), ("$method", s.Method), ("$stage", s.Stage),
            ("$created", Time(s.Created)), ("$updated", Time(s.Updated)), ("$ppl", SummaryJson.Write(s.Perplexities)),
            ("$reason", s.FailureReason), ("$layers", s.LayersPruned), ("$version", s.Version));
}
