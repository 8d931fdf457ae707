using System.Runtime.CompilerServices;

namespace PrunePipeline.EventStore;

/// <summary>Following new events by polling (what <c>prunectl watch</c> and the coordinator's catch-up use).</summary>
public static class EventStoreFollowExtensions
{
    /// <summary>Yields every event with sequence &gt; <paramref name="afterSequence"/>, then waits for new ones,
    /// polling every <paramref name="pollInterval"/> until <paramref name="ct"/> is cancelled (then it ends quietly).</summary>
    public static async IAsyncEnumerable<StoredEvent> FollowAllAsync(this IEventStore store, long afterSequence, TimeSpan pollInterval,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var last = afterSequence;
        while (!ct.IsCancellationRequested)
        {
            IReadOnlyList<StoredEvent> batch;
            try
            {
                batch = await store.ReadAllAsync(last, 1000, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                yield break;
            }
            foreach (var e in batch)
            {
                last = e.Sequence;
                yield return e;
            }
            if (batch.Count == 1000) continue;
            try
            {
                await Task.Delay(pollInterval, ct);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    /// <summary>Yields one stream's events from <paramref name="fromVersion"/> on, as they are appended, until
    /// <paramref name="isLast"/> returns true for an event (e.g. RunCompleted / RunFailed) or <paramref name="ct"/> is cancelled.</summary>
    public static async IAsyncEnumerable<StoredEvent> FollowStreamAsync(this IEventStore store, Guid streamId, long fromVersion,
        TimeSpan pollInterval, Func<StoredEvent, bool> isLast, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var next = fromVersion;
        while (!ct.IsCancellationRequested)
        {
            IReadOnlyList<StoredEvent> batch;
            try
            {
                batch = await store.ReadStreamAsync(streamId, next, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                yield break;
            }
            foreach (var e in batch)
            {
                next = e.Version + 1;
                yield return e;
                if (isLast(e)) yield break;
            }
            try
            {
                await Task.Delay(pollInterval, ct);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }
}
