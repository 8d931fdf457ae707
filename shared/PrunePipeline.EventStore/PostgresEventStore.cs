using Npgsql;

namespace PrunePipeline.EventStore;

/// <summary>
/// The distributed event store on PostgreSQL (Npgsql). Each append is one transaction that first takes a
/// transaction-scoped advisory lock, then checks and bumps the stream version with a conditional UPDATE, inserts
/// the events and updates the run summary. The lock serializes appends, which is what makes seq_id (a sequence,
/// handed out before commit) increase in commit order: without it a follower reading "seq_id &gt; last seen" could
/// skip an event whose transaction committed late. Pipeline events are a few per layer, so the lock costs nothing.
/// </summary>
public sealed partial class PostgresEventStore : IEventStore, IAsyncDisposable
{
    readonly NpgsqlDataSource _dataSource;
    readonly EventTypeRegistry _registry;
    readonly IRunSummaryProjection _projection;
    readonly TimeProvider _time;
    readonly SemaphoreSlim _schemaLock = new(1, 1);
    readonly string _s; // quoted schema name, prefixed to every table
    volatile bool _schemaReady;

    /// <summary>Connects with an Npgsql connection string; tables live in <paramref name="schema"/> (created if missing).</summary>
    public PostgresEventStore(string connectionString, string schema = "public", EventTypeRegistry? registry = null,
        IRunSummaryProjection? projection = null, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        if (schema.Length == 0 || schema.Length > 63 || !(char.IsAsciiLetterLower(schema[0]) || schema[0] == '_')
            || !schema.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            throw new ArgumentException($"schema '{schema}' must be a lower-case identifier ([a-z_][a-z0-9_]*, ≤ 63 characters).");
        Schema = schema;
        _s = $"\"{schema}\"";
        try
        {
            _dataSource = NpgsqlDataSource.Create(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"the PostgreSQL connection string is invalid: {e.Message}", e);
        }
        _registry = registry ?? EventTypeRegistry.CreateDefault();
        _projection = projection ?? new RunSummaryProjection();
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The schema that holds the tables.</summary>
    public string Schema { get; }

    public async Task<AppendResult> AppendAsync(Guid streamId, string streamType, long expectedVersion, IReadOnlyList<EventToAppend> events,
        Guid? causationId = null, CancellationToken ct = default)
    {
        AppendPlanner.Validate(streamId, streamType, expectedVersion, events);
        var ids = AppendPlanner.Ids(streamId, causationId, events.Count);
        await InitializeAsync(ct);
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await ExecuteAsync(connection, tx, "SELECT pg_advisory_xact_lock(7331, hashtext(@lock))", ct, ("lock", $"prune-events:{Schema}"));

        if (causationId != null && await FindVersionAsync(connection, tx, ids[0], ct) is { } firstVersion)
            return new AppendResult(firstVersion, firstVersion + events.Count - 1, Duplicate: true);

        var current = await GetStreamVersionAsync(connection, tx, streamId, ct);
        AppendPlanner.CheckVersion(streamId, expectedVersion, current);
        var pending = AppendPlanner.Prepare(_registry, events, ids, current);
        var now = _time.GetUtcNow();
        var last = current + events.Count;

        var changed = current == 0
            ? await ExecuteAsync(connection, tx,
                $"INSERT INTO {_s}.streams(id, type, version, created, updated) VALUES (@id, @type, @version, @now, @now) ON CONFLICT (id) DO NOTHING",
                ct, ("id", streamId), ("type", streamType), ("version", last), ("now", now))
            // Conditional: the row must still be at the version we read (Marten's UpdateStreamVersion).
            : await ExecuteAsync(connection, tx,
                $"UPDATE {_s}.streams SET version = @version, updated = @now WHERE id = @id AND version = @current",
                ct, ("id", streamId), ("version", last), ("now", now), ("current", current));
        if (changed != 1)
        {
            await tx.RollbackAsync(ct);
            throw new ConcurrencyException(streamId, expectedVersion, await GetStreamVersionAsync(streamId, ct));
        }

        var stored = new List<StoredEvent>(pending.Count);
        foreach (var e in pending)
        {
            var seq = (long)(await ScalarAsync(connection, tx,
                $"INSERT INTO {_s}.events(id, stream_id, version, type, data, timestamp, causation_id) " +
                "VALUES (@id, @stream, @version, @type, @data::json, @now, @causation) RETURNING seq_id",
                ct, ("id", e.Id), ("stream", streamId), ("version", e.Version), ("type", e.Type), ("data", e.Json),
                ("now", now), ("causation", causationId)))!;
            stored.Add(new StoredEvent(seq, e.Id, streamId, e.Version, e.Type, e.Data, now, causationId));
        }

        if (streamType == StreamTypes.Run)
        {
            // The committed events (appends to one stream are serialised, so nothing else lands meanwhile) + ours.
            var summary = AppendPlanner.Project(_projection, await ReadStreamAsync(streamId, 1, ct), stored);
            if (summary != null) await UpsertSummaryAsync(connection, tx, summary, ct);
        }
        await tx.CommitAsync(ct);
        return new AppendResult(current + 1, last, Duplicate: false);
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
