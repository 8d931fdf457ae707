using MassTransit;
using Microsoft.Extensions.Logging;
using PrunePipeline.Contracts;

namespace PrunePipeline.ServiceDefaults;

/// <summary>How every stage consumer reports: results and failures are published with ids derived from the command's
/// id, so a redelivered command produces the same event id and the coordinator appends it once.</summary>
public static class ConsumeContextExtensions
{
    public static Task PublishReply<T>(this ConsumeContext context, Guid runId, T message) where T : class =>
        context.Publish(message, c => c.MessageId = MessageIds.Reply(context.MessageId ?? Guid.NewGuid(), runId));

    /// <summary>Runs a stage; a bad input becomes StageFailed(stage, reason) (the coordinator records RunFailed) instead of
    /// a retry loop.</summary>
    public static async Task RunStage(this ConsumeContext context, Guid runId, string stage, ILogger logger, Func<Task> work)
    {
        try
        {
            await work();
        }
        catch (Exception e) when (StageFailure.IsBadInput(e) && !context.CancellationToken.IsCancellationRequested)
        {
            logger.LogError("run {Run}: {Stage} failed: {Reason}", runId, stage, e.Message);
            await context.PublishReply(runId, new StageFailed(runId, stage, StageFailure.Reason(e)));
        }
    }
}
