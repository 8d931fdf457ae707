using Npgsql;
using PrunePipeline.Errors;

namespace PrunePipeline.EventStore;

// Schema and SQL helpers of the PostgreSQL store.
public sealed partial class PostgresEventStore
{
    string SchemaSql => $"""
        CREATE SCHEMA IF NOT EXISTS {_s};
        CREATE TABLE IF NOT EXISTS {_s}.streams(
            id uuid PRIMARY KEY, type text NOT NULL, version bigint NOT NULL,
            created timestamptz NOT NULL, updated timestamptz NOT NULL);
        CREATE TABLE IF NOT EXISTS {_s}.events(
            seq_id bigserial PRIMARY KEY, id uuid NOT NULL UNIQUE, stream_id uuid NOT NULL REFERENCES {_s}.streams(id),
            version bigint NOT NULL, type text NOT NULL, data json NOT NULL, timestamp timestamptz NOT NULL, causation_id uuid,
            UNIQUE(stream_id, version));
        CREATE TABLE IF NOT EXISTS {_s}.run_summaries(
            run_id uuid PRIMARY KEY, status text NOT NULL, method text, stage text NOT NULL, created timestamptz NOT NULL,
            updated timestamptz NOT NULL, perplexities json NOT NULL, reason text, layers_pruned integer NOT NULL, version bigint NOT NULL);
        CREATE INDEX IF NOT EXISTS run_summaries_created ON {_s}.run_summaries(created);
        """;

    public async Task InitializeAsync(CancellationToken ct = default)
    {
        if (_schemaReady) return;
        await _schemaLock.WaitAsync(ct);
        try
        {
            if (_schemaReady) return;
            await using var connection = await _dataSource.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            // Concurrent CREATE ... IF NOT EXISTS from several processes can still collide in the catalog: take a lock.
            await ExecuteAsync(connection, tx, "SELECT pg_advisory_xact_lock(7331, hashtext(@lock))", ct, ("lock", $"prune-schema:{Schema}"));
            await ExecuteAsync(connection, tx, SchemaSql, ct);
            await tx.CommitAsync(ct);
            _schemaReady = true;
        }
        // Unreachable, or refusing us (28xxx: wrong password / not authorised; 3D000: no such database): one line naming
        // the server, retryable by the pipeline. Other server errors are ours (bad SQL) and keep their type.
        catch (NpgsqlException e) when (e is not PostgresException || e is PostgresException { SqlState: var state } && (state.StartsWith("28", StringComparison.Ordinal) || state == "3D000"))
        {
            var where = string.Join(";", _dataSource.ConnectionString.Split(';')
                .Where(p => p.StartsWith("Host", StringComparison.OrdinalIgnoreCase) || p.StartsWith("Port", StringComparison.OrdinalIgnoreCase) || p.StartsWith("Username", StringComparison.OrdinalIgnoreCase)));
            throw new ServiceUnavailableException($"PostgreSQL ({where}) refused or could not be reached: {e.Message}", e);
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, tx);
        foreach (var (name, value) in parameters)
            command.Parameters.Add(value is null ? new NpgsqlParameter(name, DBNull.Value) { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid } : new NpgsqlParameter(name, value));
        return command;
    }

    static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, CancellationToken ct, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, tx, sql, parameters);
        return await command.ExecuteNonQueryAsync(ct);
    }

    static async Task<object?> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, CancellationToken ct, params (string, object?)[] parameters)
    {
        await using var command = Command(connection, tx, sql, parameters);
        var value = await command.ExecuteScalarAsync(ct);
        return value is DBNull ? null : value;
    }

    async Task<long?> FindVersionAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Guid eventId, CancellationToken ct) =>
        (long?)await ScalarAsync(connection, tx, $"SELECT version FROM {_s}.events WHERE id = @id", ct, ("id", eventId));

    async Task<long> GetStreamVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, Guid streamId, CancellationToken ct) =>
        (long?)await ScalarAsync(connection, tx, $"SELECT version FROM {_s}.streams WHERE id = @id", ct, ("id", streamId)) ?? 0;

    Task<int> UpsertSummaryAsync(NpgsqlConnection connection, NpgsqlTransaction tx, RunSummary s, CancellationToken ct) =>
        ExecuteAsync(connection, tx, $"""
            INSERT INTO {_s}.run_summaries(run_id, status, method, stage, created, updated, perplexities, reason, layers_pruned, version)
            VALUES (@id, @status, @method, @stage, @created, @updated, @ppl::json, @reason, @layers, @version)
            ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, method = excluded.method, stage = excluded.stage,
                updated = excluded.updated, perplexities = excluded.perplexities, reason = excluded.reason,
                layers_pruned = excluded.layers_pruned, version = excluded.version
            """, ct, ("id", s.RunId), ("status", s.Status), ("method", (object?)s.Method ?? DBNull.Value), ("stage", s.Stage),
            ("created", s.Created), ("updated", s.Updated), ("ppl", SummaryJson.Write(s.Perplexities)),
            ("reason", (object?)s.FailureReason ?? DBNull.Value), ("layers", s.LayersPruned), ("version", s.Version));
}
