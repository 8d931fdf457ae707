using System.Collections.Concurrent;

namespace PrunePipeline.ServiceDefaults.Tests;

/// <summary>Shared between the test and the consumer instances MassTransit creates.</summary>
public sealed class FlakyLog
{
    public ConcurrentDictionary<Guid, ConcurrentQueue<DateTime>> Attempts { get; } = new();

    public TaskCompletionSource<Guid> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
