using MassTransit;
using PrunePipeline.Contracts;

namespace PrunePipeline.Coordinator;

/// <summary>Every pipeline event (and the two public requests) goes through <see cref="RunCoordinator"/>: append to
/// the run's stream, fold, send the next commands.</summary>
public sealed class RunCoordinatorConsumer(RunCoordinator coordinator) :
    IConsumer<PruneRequested>, IConsumer<ReplayRequested>, IConsumer<BlockCalibrated>, IConsumer<LayerPruned>,
    IConsumer<LayerRefined>, IConsumer<ModelAssembled>, IConsumer<FinetuneCheckpointed>, IConsumer<ModelFinetuned>,
    IConsumer<ModelEvaluated>, IConsumer<StageFailed>
{
    public Task Consume(ConsumeContext<PruneRequested> context) => Handle(context, context.Message.RunId, StartCausation(context, context.Message.IdempotencyKey));

    public Task Consume(ConsumeContext<ReplayRequested> context) => Handle(context, context.Message.RunId, StartCausation(context, context.Message.IdempotencyKey));

    public Task Consume(ConsumeContext<BlockCalibrated> context) => Handle(context, context.Message.RunId);

    public Task Consume(ConsumeContext<LayerPruned> context) => Handle(context, context.Message.RunId);

    public Task Consume(ConsumeContext<LayerRefined> context) => Handle(context, context.Message.RunId);

    public Task Consume(ConsumeContext<ModelAssembled> context) => Handle(context, context.Message.RunId);

    public Task Consume(ConsumeContext<FinetuneCheckpointed> context) => Handle(context, context.Message.RunId);

    public Task Consume(ConsumeContext<ModelFinetuned> context) => Handle(context, context.Message.RunId);

    public Task Consume(ConsumeContext<ModelEvaluated> context) => Handle(context, context.Message.RunId);

    // A worker's StageFailed is recorded as the run's RunFailed; the coordinator publishes RunFailed itself and never
    // consumes it.
    public Task Consume(ConsumeContext<StageFailed> context) =>
        Handle(context, context.Message.RunId, message: new RunFailed(context.Message.RunId, context.Message.Stage, context.Message.Reason));

    async Task Handle<T>(ConsumeContext<T> context, Guid runId, Guid? causation = null, object? message = null) where T : class
    {
        await coordinator.RecordAndSendAsync(context, runId, message ?? context.Message, causation ?? context.MessageId ?? Guid.NewGuid(),
            context.CancellationToken);
    }

    // A client's idempotency key makes a re-submitted request the same causation (so it appends nothing).
    static Guid StartCausation(ConsumeContext context, string? key) =>
        key is null ? context.MessageId ?? Guid.NewGuid() : ServiceDefaults.MessageIds.Command(IdempotencyNamespace, "idempotency/" + key);

    static readonly Guid IdempotencyNamespace = new("6f6c9b1e-5a1d-4c2b-9e7f-2d1c0b9a8f10");
}
