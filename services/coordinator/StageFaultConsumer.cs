using MassTransit;
using Microsoft.Extensions.Logging;
using PrunePipeline.Contracts;

namespace PrunePipeline.Coordinator;

/// <summary>
/// MassTransit publishes <see cref="Fault{T}"/> when a stage command still throws after its retries (a transient fault
/// that did not go away: a broker, store or disk failure). Without this consumer such a run would wait forever with
/// nothing in its history; with it the coordinator appends <c>RunFailed(stage, reason)</c>, so <c>watch</c>,
/// <c>show</c> and <c>runs</c> say what happened. Keyed by the fault message id, so a redelivered fault appends once.
/// </summary>
public sealed class StageFaultConsumer(RunCoordinator coordinator, ILogger<StageFaultConsumer> logger) :
    IConsumer<Fault<CalibrateBlock>>, IConsumer<Fault<PruneLayer>>, IConsumer<Fault<RefineLayer>>,
    IConsumer<Fault<AssembleModel>>, IConsumer<Fault<FinetuneModel>>, IConsumer<Fault<EvaluateModel>>
{
    public Task Consume(ConsumeContext<Fault<CalibrateBlock>> context) => Fail(context, context.Message.Message.RunId, PipelineStages.Calibrate, $"block {context.Message.Message.Block}");

    public Task Consume(ConsumeContext<Fault<PruneLayer>> context) => Fail(context, context.Message.Message.RunId, PipelineStages.Prune, context.Message.Message.Layer);

    public Task Consume(ConsumeContext<Fault<RefineLayer>> context) => Fail(context, context.Message.Message.RunId, PipelineStages.Refine, context.Message.Message.Layer);

    public Task Consume(ConsumeContext<Fault<AssembleModel>> context) => Fail(context, context.Message.Message.RunId, PipelineStages.Assemble, context.Message.Message.OutputPrefix);

    public Task Consume(ConsumeContext<Fault<FinetuneModel>> context) =>
        Fail(context, context.Message.Message.RunId, PipelineStages.Finetune, context.Message.Message.ModelPrefix);

    public Task Consume(ConsumeContext<Fault<EvaluateModel>> context) =>
        Fail(context, context.Message.Message.RunId, PipelineStages.Evaluate, $"{context.Message.Message.Model} model");

    async Task Fail<T>(ConsumeContext<Fault<T>> context, Guid runId, string stage, string what) where T : class
    {
        var fault = context.Message;
        var cause = fault.Exceptions.FirstOrDefault();
        var reason = $"{what}: {cause?.ExceptionType ?? "unknown error"}: {(cause?.Message ?? "no message").ReplaceLineEndings(" ")} " +
                     $"(gave up after retries on {fault.Host?.MachineName ?? "?"}, process {fault.Host?.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"})";
        logger.LogError("run {Run}: {Stage} faulted: {Reason}", runId, stage, reason);
        await coordinator.RecordAndSendAsync(context, runId, new RunFailed(runId, stage, reason), context.MessageId ?? fault.FaultId, context.CancellationToken);
    }
}
