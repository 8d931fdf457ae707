using PrunePipeline.EventStore;

namespace PrunePipeline.Coordinator.Tests;

/// <summary>A real store with "another coordinator" in front of it: before the first append it forwards, it appends
/// <c>competing</c> itself, so that append meets a real <see cref="ConcurrencyException"/>.</summary>
public sealed class InterleavingEventStore(IEventStore inner, Guid streamId, object competing) : IEventStore
{
    bool _interleaved;

    public int Conflicts { get; private set; }

    public async Task<AppendResult> AppendAsync(Guid id, string streamType, long expectedVersion, IReadOnlyList<EventToAppend> events,
        Guid? causationId = null, CancellationToken ct = default)
    {
        if (!_interleaved && id == streamId)
        {
            _interleaved = true;
            await inner.AppendAsync(id, streamType, expectedVersion, [new EventToAppend(competing)], Guid.NewGuid(), ct);
        }
        try
        {
            return await inner.AppendAsync(id, streamType, expectedVersion, events, causationId, ct);
        }
        catch (ConcurrencyException)
        {
            Conflicts++;
            throw;
        }
    }

    public Task InitializeAsync(CancellationToken ct = default) => inner.InitializeAsync(ct);

    public Task<IReadOnlyList<StoredEvent>> ReadStreamAsync(Guid id, long fromVersion = 1, CancellationToken ct = default) =>
        inner.ReadStreamAsync(id, fromVersion, ct);

    public Task<IReadOnlyList<StoredEvent>> ReadAllAsync(long afterSequence, int maxCount = 1000, CancellationToken ct = default) =>
        inner.ReadAllAsync(afterSequence, maxCount, ct);

    public Task<long> GetStreamVersionAsync(Guid id, CancellationToken ct = default) => inner.GetStreamVersionAsync(id, ct);

    public Task<RunSummary?> GetRunAsync(Guid runId, CancellationToken ct = default) => inner.GetRunAsync(runId, ct);

    public Task<IReadOnlyList<RunSummary>> ListRunsAsync(int limit = 100, CancellationToken ct = default) => inner.ListRunsAsync(limit, ct);
}
