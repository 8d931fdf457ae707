namespace PrunePipeline.EventStore;

/// <summary>An append expected a stream version that is no longer current: re-read the stream, fold, retry.</summary>
public sealed class ConcurrencyException(Guid streamId, long expectedVersion, long actualVersion)
    : Exception($"stream {streamId} is at version {actualVersion}, the append expected {expectedVersion}.")
{
    public Guid StreamId { get; } = streamId;
    public long ExpectedVersion { get; } = expectedVersion;
    public long ActualVersion { get; } = actualVersion;
}
