namespace PrunePipeline.EventStore;

/// <summary>
/// The run history: one stream of events per run, appended with optimistic concurrency, plus a run-summary
/// projection kept in the same transaction. Implementations: <see cref="SqliteEventStore"/> (embedded) and
/// MartenEventStore (distributed, PrunePipeline.EventStore.Marten). The schema is created on first use (idempotent).
/// </summary>
public interface IEventStore
{
    /// <summary>Creates the schema if it is missing (safe to call from several processes at once).</summary>
    Task InitializeAsync(CancellationToken ct = default);

    /// <summary>
    /// Appends <paramref name="events"/> to a stream atomically, with versions expectedVersion+1, +2, ….
    /// <paramref name="expectedVersion"/> is the stream's current version (0 = no stream yet) or
    /// <see cref="ExpectedVersion.Any"/>. When <paramref name="causationId"/> (the id of the message being handled)
    /// is given, event ids are derived from it (<see cref="EventIds"/>), so a redelivered message appends nothing
    /// twice: the second call returns the first call's result with <see cref="AppendResult.Duplicate"/> = true,
    /// whatever the stream's version is by then.
    /// </summary>
    /// <exception cref="ConcurrencyException">The stream's version is not <paramref name="expectedVersion"/>.</exception>
    Task<AppendResult> AppendAsync(Guid streamId, string streamType, long expectedVersion, IReadOnlyList<EventToAppend> events,
        Guid? causationId = null, CancellationToken ct = default);

    /// <summary>The stream's events with version ≥ <paramref name="fromVersion"/>, in version order (empty if no stream).</summary>
    Task<IReadOnlyList<StoredEvent>> ReadStreamAsync(Guid streamId, long fromVersion = 1, CancellationToken ct = default);

    /// <summary>Up to <paramref name="maxCount"/> events of all streams with sequence number &gt; <paramref name="afterSequence"/>,
    /// in commit order (a follower that remembers the last sequence it saw misses nothing).</summary>
    Task<IReadOnlyList<StoredEvent>> ReadAllAsync(long afterSequence, int maxCount = 1000, CancellationToken ct = default);

    /// <summary>The stream's current version; 0 when it does not exist.</summary>
    Task<long> GetStreamVersionAsync(Guid streamId, CancellationToken ct = default);

    /// <summary>The run summary of one run, or null.</summary>
    Task<RunSummary?> GetRunAsync(Guid runId, CancellationToken ct = default);

    /// <summary>Run summaries, newest first.</summary>
    Task<IReadOnlyList<RunSummary>> ListRunsAsync(int limit = 100, CancellationToken ct = default);
}
