using Microsoft.Data.Sqlite;

namespace PrunePipeline.EventStore;

/// <summary>
/// The embedded event store: one SQLite file in WAL mode. Appends run in BEGIN IMMEDIATE transactions, which take
/// the database's single write lock up front: appends are serialized (so seq_id order is commit order, and
/// followers miss nothing) and the version check cannot race. Other processes may share the file; they wait up to
/// the busy timeout for the lock.
/// </summary>
public sealed partial class SqliteEventStore : IEventStore
{
    readonly string _connectionString;
    readonly EventTypeRegistry _registry;
    readonly IRunSummaryProjection _projection;
    readonly TimeProvider _time;
    readonly SemaphoreSlim _schemaLock = new(1, 1);
    volatile bool _schemaReady;

    /// <summary>Opens (and on first use creates) the database file at <paramref name="path"/>.</summary>
    public SqliteEventStore(string path, EventTypeRegistry? registry = null, IRunSummaryProjection? projection = null, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 60,
        }.ToString();
        _registry = registry ?? EventTypeRegistry.CreateDefault();
        _projection = projection ?? new RunSummaryProjection();
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    public async Task<AppendResult> AppendAsync(Guid streamId, string streamType, long expectedVersion, IReadOnlyList<EventToAppend> events,
        Guid? causationId = null, CancellationToken ct = default)
    {
        AppendPlanner.Validate(streamId, streamType, expectedVersion, events);
        var ids = AppendPlanner.Ids(streamId, causationId, events.Count);
        await using var connection = await OpenAsync(ct);
        // Not deferred = BEGIN IMMEDIATE: the write lock is ours before we read the version we check.
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct);

        if (causationId != null && await FindVersionAsync(connection, tx, ids[0], ct) is { } firstVersion)
            return new AppendResult(firstVersion, firstVersion + events.Count - 1, Duplicate: true);

        var current = await GetStreamVersionAsync(connection, tx, streamId, ct);
        AppendPlanner.CheckVersion(streamId, expectedVersion, current);
        var pending = AppendPlanner.Prepare(_registry, events, ids, current);
        var now = _time.GetUtcNow();
        var last = current + events.Count;

        await ExecuteAsync(connection, tx, current == 0
                ? "INSERT INTO streams(id, type, version, created, updated) VALUES ($id, $type, $version, $now, $now)"
                : "UPDATE streams SET version = $version, updated = $now WHERE id = $id",
            ct, ("$id", Key(streamId)), ("$type", streamType), ("$version", last), ("$now", Time(now)));

        var stored = new List<StoredEvent>(pending.Count);
        foreach (var e in pending)
        {
            var seq = (long)(await ScalarAsync(connection, tx,
                "INSERT INTO events(id, stream_id, version, type, data, timestamp, causation_id) " +
                "VALUES ($id, $stream, $version, $type, $data, $now, $causation) RETURNING seq_id",
                ct, ("$id", Key(e.Id)), ("$stream", Key(streamId)), ("$version", e.Version), ("$type", e.Type),
                ("$data", e.Json), ("$now", Time(now)), ("$causation", causationId is { } c ? Key(c) : null)))!;
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
}
