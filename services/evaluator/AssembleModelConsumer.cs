using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Logging;
using PrunePipeline.Artifacts;
using PrunePipeline.Contracts;
using PrunePipeline.Model;
using PrunePipeline.ServiceDefaults;
using PrunePipeline.ServiceDefaults.Trust;
using PrunePipeline.Workflow.Output;
using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.Evaluator;

/// <summary>
/// Writes the pruned HF directory with the workflow's <see cref="PrunedModelWriter"/> (so model.safetensors and
/// masks.safetensors have the same layout, bytes included, as <c>prunectl prune</c>'s) from the dense model and the
/// stored final weights and masks, adds sparsity.json, and uploads it under <c>models/{run}/</c>. Hosted by the
/// evaluator process, which reads the result next.
/// </summary>
public sealed class AssembleModelConsumer(IArtifactStore store, ModelCache models, RunGuard guard, ILogger<AssembleModelConsumer> logger)
    : IConsumer<AssembleModel>
{
    public Task Consume(ConsumeContext<AssembleModel> context) =>
        context.RunStage(context.Message.RunId, PipelineStages.Assemble, logger, () => Assemble(context));

    async Task Assemble(ConsumeContext<AssembleModel> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        // Trust: only a pending command of a running run (an assembled model is never replaced), for the run's own model.
        if (!await guard.AdmitAsync(m.RunId, "AssembleModel", s => s.Assembled is not null, m.ModelLocation, [], ct)) return;
        var sw = Stopwatch.StartNew();
        var model = models.Get(m.ModelLocation);
        var config = model.Config;
        var dir = Directory.CreateTempSubdirectory("prune-assemble-").FullName;
        try
        {
            using (var writer = new PrunedModelWriter(model, dir))
            {
                for (var k = 0; k < config.NumHiddenLayers; k++)
                {
                    var block = models.LoadBlock(m.ModelLocation, k);
                    var masks = new Dictionary<string, byte[]>(StringComparer.Ordinal);
                    foreach (var name in DecoderBlockWeights.LinearNames)
                    {
                        var tensor = LlamaTensorNames.Layer(k, name);
                        if (!m.WeightKeys.TryGetValue(tensor, out var wKey) || !m.MaskKeys.TryGetValue(tensor, out var mKey))
                            throw new InvalidOperationException($"AssembleModel of run {m.RunId} has no weights/mask for {tensor}.");
                        var (rows, cols) = DecoderBlockWeights.LinearShape(config, name);
                        block.SetLinear(name, await store.GetFloatsAsync(wKey, [rows, cols], ct));
                        masks[name] = await store.GetPackedMaskAsync(mKey, rows, cols, ct); // the writer takes bit-packed masks
                    }
                    writer.WriteBlock(block, masks);
                }
                writer.Complete();
            }
            if (m.Method is { } method && m.Calibration is { } calib)
            {
                var p = method;
                WorkflowJson.Write(Path.Combine(dir, "sparsity.json"), new SparsityManifest(SparsityManifest.FormatName, p.Pattern, "input",
                    p.Method, p.Refine, m.Mode, p, calib, calib.Seed, PrunedModelWriter.PrunedTensors(config),
                    PrunedModelWriter.MaskFileName, SparsityManifest.MaskEncodingText, Path.GetFullPath(m.ModelLocation),
                    new Dictionary<string, string> { ["pipeline_run"] = m.RunId.ToString("D") }));
            }
            foreach (var old in await store.ListAsync(m.OutputPrefix.TrimEnd('/') + "/", ct)) await store.DeleteAsync(old, ct);
            await store.UploadDirectoryAsync(dir, m.OutputPrefix, ct);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        logger.LogInformation("run {Run}: model assembled under {Prefix}", m.RunId, m.OutputPrefix);
        await context.PublishReply(m.RunId, new ModelAssembled(m.RunId, m.OutputPrefix, config.NumHiddenLayers, sw.Elapsed.TotalSeconds));
    }
}
