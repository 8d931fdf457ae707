using MassTransit;
using Microsoft.Extensions.Logging;
using PrunePipeline.Artifacts;
using PrunePipeline.Contracts;
using PrunePipeline.ServiceDefaults;
using PrunePipeline.ServiceDefaults.Trust;
using PrunePipeline.Workflow.Stages;

namespace PrunePipeline.Pruner;

/// <summary>
/// Prunes one linear with the workflow's <see cref="LayerPruneStage"/> (dense W₀ from the model, H from the store)
/// and stores its bit-packed mask and pruned weights; acknowledged only after both are stored and LayerPruned is
/// published. Deterministic, so a redelivery rewrites the same bytes.
/// </summary>
public sealed class PruneLayerConsumer(IArtifactStore store, ModelCache models, WorkerIdentity worker, RunGuard guard, ILogger<PruneLayerConsumer> logger)
    : IConsumer<PruneLayer>
{
    public Task Consume(ConsumeContext<PruneLayer> context) =>
        context.RunStage(context.Message.RunId, PipelineStages.Prune, logger, () => Prune(context));

    async Task Prune(ConsumeContext<PruneLayer> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        // Trust: only a pending command of a running run, for the run's own model under the roots.
        if (!await guard.AdmitAsync(m.RunId, $"PruneLayer {m.Layer}", s => s.Pruned.ContainsKey(m.Layer), m.ModelLocation, [], ct)) return;
        var resultKey = StageResults.Key(m.RunId, "prune", m.Layer);
        if (await StageResults.TryRepublishAsync<LayerPruned>(context, store, m.RunId, resultKey, logger, ct)) return;
        var (rows, cols, w0, h) = await LayerInputs.LoadAsync(models, store, m.ModelLocation, m.Layer, m.HessianKey, ct);
        var pruned = LayerPruneStage.Run(m.Layer, w0, h, rows, cols, m.Method, null, ct);

        var maskKey = ArtifactKeys.Mask(m.RunId, m.Layer);
        var weightsKey = ArtifactKeys.Weights(m.RunId, m.Layer, "pruned");
        await store.PutMaskOnceAsync(maskKey, pruned.Mask, rows, cols, ct); // write-once: a late duplicate cannot overwrite
        await store.PutFloatsOnceAsync(weightsKey, pruned.Weights, [rows, cols], ct);
        var kept = pruned.Mask.Count(b => b != 0) / (double)pruned.Mask.Length;
        logger.LogInformation("run {Run}: {Layer} pruned by {Worker}", m.RunId, m.Layer, worker.Id);
        var result = new LayerPruned(m.RunId, m.Block, m.Layer, pruned.Loss, pruned.Iterations,
            pruned.FinalLambda ?? 0, pruned.Time.TotalSeconds, maskKey, weightsKey, worker.Id, kept,
            pruned.HitMaxIterations, pruned.DampingUsed);
        await StageResults.PutAsync(store, resultKey, result, ct); // after the artifacts: a re-sent command re-publishes it
        await context.PublishReply(m.RunId, result);
    }
}
