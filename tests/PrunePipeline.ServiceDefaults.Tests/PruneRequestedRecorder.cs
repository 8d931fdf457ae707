using MassTransit;
using PrunePipeline.Contracts;

namespace PrunePipeline.ServiceDefaults.Tests;

/// <summary>Completes <see cref="Received"/> with the first PruneRequested of the expected run.</summary>
public sealed class PruneRequestedRecorder(RecorderState state) : IConsumer<PruneRequested>
{
    public Task Consume(ConsumeContext<PruneRequested> context)
    {
        if (context.Message.RunId == state.RunId) state.Received.TrySetResult(context.Message);
        return Task.CompletedTask;
    }
}
