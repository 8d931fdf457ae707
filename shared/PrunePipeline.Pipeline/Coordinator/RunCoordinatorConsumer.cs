using MassTransit;
using PrunePipeline.Contracts;

namespace PrunePipeline.Pipeline.Coordinator;

/// <summary>Every pipeline event (and the two public requests) goes through <see cref="RunCoordinator"/>: append to
/// the run's stream, fold, send the next commands.</summary>
public sealed class RunCoordinatorConsumer(RunCoordinator coordinator) :
    IConsumer<PruneRequested>, IConsumer<ReplayRequested>, IConsumer<BlockCalibrated>, IConsumer<LayerPruned>,
    IConsumer<LayerRefined>, IConsumer<ModelAssembled>, IConsumer<ModelEvaluated>, IConsumer<RunFailed>
{
    public Task Consume(ConsumeContext<PruneRequested> context) => Handle(context, context.Message.RunId, StartCausation(context, context.Message.IdempotencyKey));

    public Task Consume(ConsumeContext<ReplayRequested> context) => Handle(context, context.Message.RunId, StartCausation(context, context.Message.IdempotencyKey));

    public Task Consume(ConsumeContext<BlockCalibrated> context) => Handle(context, context.Message.RunId);

    public Task Consume(ConsumeContext<LayerPruned> context) => Handle(context, context.Message.RunId);

    public Task Consume(ConsumeContext<LayerRefined> context) => Handle(context, context.Message.RunId);

    public Task Consume(ConsumeContext<ModelAssembled> context) => Handle(context, context.Message.RunId);

    public Task Consume(ConsumeContext<ModelEvaluated> context) => Handle(context, context.Message.RunId);

    public Task Consume(ConsumeContext<RunFailed> context) => Handle(context, context.Message.RunId);

    async Task Handle<T>(ConsumeContext<T> context, Guid runId, Guid? causation = null) where T : class
    {
        await coordinator.RecordAndSendAsync(context, runId, context.Message, causation ?? context.MessageId ?? Guid.NewGuid(), context.CancellationToken);
    }

    // A client's idempotency key makes a re-submitted request the same causation (so it appends nothing).
    static Guid StartCausation(ConsumeContext context, string? key) =>
        key is null ? context.MessageId ?? Guid.NewGuid() : Hosting.MessageIds.Command(IdempotencyNamespace, "idempotency/" + key);

    static readonly Guid IdempotencyNamespace = new("6f6c9b1e-5a1d-4c2b-9e7f-2d1c0b9a8f10");
}
