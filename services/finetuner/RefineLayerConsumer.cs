using MassTransit;
using Microsoft.Extensions.Logging;
using PrunePipeline.Artifacts;
using PrunePipeline.Contracts;
using PrunePipeline.ServiceDefaults;
using PrunePipeline.ServiceDefaults.Trust;
using PrunePipeline.Workflow.Stages;

namespace PrunePipeline.Finetuner;

/// <summary>Masked refinement of one pruned layer with the workflow's <see cref="LayerRefineStage"/> (mask fixed, W₀
/// from the model, H and the pruned weights from the store); stores the refined weights.</summary>
public sealed class RefineLayerConsumer(IArtifactStore store, ModelCache models, WorkerIdentity worker, RunGuard guard, ILogger<RefineLayerConsumer> logger)
    : IConsumer<RefineLayer>
{
    public Task Consume(ConsumeContext<RefineLayer> context) =>
        context.RunStage(context.Message.RunId, PipelineStages.Refine, logger, () => Refine(context));

    async Task Refine(ConsumeContext<RefineLayer> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        // Trust: only a pending command of a running run, for the run's own model under the roots.
        if (!await guard.AdmitAsync(m.RunId, $"RefineLayer {m.Layer}", s => s.Refined.ContainsKey(m.Layer), m.ModelLocation, [], ct)) return;
        var resultKey = StageResults.Key(m.RunId, "refine", m.Layer);
        if (await StageResults.TryRepublishAsync<LayerRefined>(context, store, m.RunId, resultKey, logger, ct)) return;
        var (rows, cols, w0, h) = await LayerInputs.LoadAsync(models, store, m.ModelLocation, m.Layer, m.HessianKey, ct);
        var mask = await store.GetMaskAsync(m.MaskKey, rows, cols, ct);
        var weights = await store.GetFloatsAsync(m.WeightsKey, [rows, cols], ct);
        var refined = LayerRefineStage.Run(m.Layer, weights, mask, rows, cols, w0, h, m.Method, null, ct);

        var key = ArtifactKeys.Weights(m.RunId, m.Layer, "refined");
        await store.PutFloatsOnceAsync(key, refined.Weights, [rows, cols], ct); // write-once
        var result = new LayerRefined(m.RunId, m.Block, m.Layer, refined.Loss, m.Method.Refine == "gd" ? m.Method.RefineSteps : 0,
            refined.Time.TotalSeconds, key, worker.Id);
        await StageResults.PutAsync(store, resultKey, result, ct); // after the artifacts: a re-sent command re-publishes it
        await context.PublishReply(m.RunId, result);
    }
}
