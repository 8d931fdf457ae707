namespace PrunePipeline.EventStore;

/// <summary>The dialect-free parts of an append, shared by both stores so they behave identically.</summary>
internal static class AppendPlanner
{
    public static void Validate(Guid streamId, string streamType, long expectedVersion, IReadOnlyList<EventToAppend> events)
    {
        if (streamId == Guid.Empty) throw new ArgumentException("stream id must not be Guid.Empty.", nameof(streamId));
        ArgumentException.ThrowIfNullOrEmpty(streamType);
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0) throw new ArgumentException("an append needs at least one event.", nameof(events));
        if (expectedVersion < ExpectedVersion.Any) throw new ArgumentOutOfRangeException(nameof(expectedVersion), expectedVersion, "use ≥ 0 or ExpectedVersion.Any.");
    }

    /// <summary>Ids for the events: derived from the causation id (idempotent) or fresh.</summary>
    public static Guid[] Ids(Guid streamId, Guid? causationId, int count)
    {
        var ids = new Guid[count];
        for (var i = 0; i < count; i++) ids[i] = causationId is { } c ? EventIds.Derive(c, streamId, i) : Guid.NewGuid();
        return ids;
    }

    public static void CheckVersion(Guid streamId, long expectedVersion, long currentVersion)
    {
        if (expectedVersion != ExpectedVersion.Any && expectedVersion != currentVersion)
            throw new ConcurrencyException(streamId, expectedVersion, currentVersion);
    }

    public static List<PendingEvent> Prepare(EventTypeRegistry registry, IReadOnlyList<EventToAppend> events, Guid[] ids, long currentVersion)
    {
        var pending = new List<PendingEvent>(events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            var data = events[i]?.Data ?? throw new ArgumentException($"event {i} has no data.");
            var (alias, json) = registry.Serialize(data);
            pending.Add(new PendingEvent(ids[i], currentVersion + 1 + i, alias, json, data));
        }
        return pending;
    }

    /// <summary>The summary after an append: the projection of the committed stream plus the appended events.</summary>
    public static RunSummary? Project(IRunSummaryProjection projection, IReadOnlyList<StoredEvent> committed, IEnumerable<StoredEvent> stored) =>
        projection.Project([.. committed, .. stored]);
}
