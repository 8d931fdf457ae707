using MassTransit;
using Microsoft.Extensions.Logging;
using PrunePipeline.Artifacts;
using PrunePipeline.Contracts;
using PrunePipeline.Pipeline.Hosting;
using PrunePipeline.Pipeline.Trust;
using PrunePipeline.Workflow.Stages;

namespace PrunePipeline.Pipeline.Finetuner;

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
        if (await StageResults.TryGetAsync<LayerRefined>(store, resultKey, ct) is { } done)
        {
            await context.PublishReply(m.RunId, done); // already refined: publish the recorded result again
            return;
        }
        var config = models.Get(m.ModelLocation).Config;
        var (rows, cols) = LayerNames.Shape(config, m.Layer);
        var method = (m.Method ?? new PruneMethodSettings("magnitude")) with { Refine = m.Kind, RefineSteps = m.Steps };
        var w0 = models.ReadTensor(m.ModelLocation, m.Layer);
        var h = await store.GetFloatsAsync(m.HessianKey, [cols, cols], ct);
        var mask = await store.GetMaskAsync(m.MaskKey, rows, cols, ct);
        var weights = await store.GetFloatsAsync(m.WeightsKey, [rows, cols], ct);
        var pruned = new PrunedLayer(m.Layer, rows, cols, weights, mask, m.LossBefore, 0, null, false, null, TimeSpan.Zero);
        var refined = LayerRefineStage.Run(pruned, w0, h, method.ToWorkflow(), null, ct);

        var key = ArtifactKeys.Weights(m.RunId, m.Layer, "refined");
        await store.PutFloatsOnceAsync(key, refined.Weights, [rows, cols], ct); // write-once
        var result = new LayerRefined(m.RunId, m.Block, m.Layer, m.LossBefore, refined.Loss, m.Steps, refined.Time.TotalSeconds, key, worker.Id);
        await StageResults.PutAsync(store, resultKey, result, ct); // after the artifacts: a re-sent command re-publishes it
        await context.PublishReply(m.RunId, result);
    }
}
