using PrunePipeline.Contracts;

namespace PrunePipeline.ServiceDefaults.Tests;

/// <summary>Shared between the test and the consumer instances MassTransit creates.</summary>
public sealed class RecorderState(Guid runId)
{
    public Guid RunId { get; } = runId;
    public TaskCompletionSource<PruneRequested> Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
