using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Logging;
using PrunePipeline.Artifacts;
using PrunePipeline.Contracts;
using PrunePipeline.Evaluation.Datasets;
using PrunePipeline.Model;
using PrunePipeline.ServiceDefaults;
using PrunePipeline.ServiceDefaults.Trust;
using PrunePipeline.Tokenizers;
using PrunePipeline.Workflow;

namespace PrunePipeline.Evaluator;

/// <summary>Perplexities with the workflow's <see cref="ModelEvaluation"/> of the assembled model (downloaded from the
/// store, loaded exactly as <c>prunectl eval</c> would) or, for <see cref="EvaluatedModel.Dense"/>, of the source model
/// directory (report.json's "before"; opened on its own, not through the shared model cache, so it never holds the
/// pruners' lock).</summary>
public sealed class EvaluateModelConsumer(IArtifactStore store, RunGuard guard, ILogger<EvaluateModelConsumer> logger) : IConsumer<EvaluateModel>
{
    public Task Consume(ConsumeContext<EvaluateModel> context) =>
        context.RunStage(context.Message.RunId, PipelineStages.Evaluate, logger, () => Evaluate(context));

    async Task Evaluate(ConsumeContext<EvaluateModel> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        var dense = m.Model == EvaluatedModel.Dense;
        // Trust: only a pending command of a running run, for the run's own model and data sets under the roots.
        if (!await guard.AdmitAsync(m.RunId, $"EvaluateModel {m.Model}", s => (dense ? s.DenseEvaluated : s.Evaluated) is not null,
                dense ? m.ModelPrefix : null, [.. m.Evaluation.Datasets.Values], ct)) return;
        var sw = Stopwatch.StartNew();
        var dir = dense ? m.ModelPrefix : Directory.CreateTempSubdirectory("prune-evaluate-").FullName;
        try
        {
            if (!dense) await store.DownloadDirectoryAsync(m.ModelPrefix, dir, ct);
            IReadOnlyList<DatasetPerplexity> results;
            using (var model = LlamaModel.Open(dir))
            {
                var seqLen = m.Evaluation.SeqLen ?? PruneRun.DefaultSeqLen(model.Config);
                var tok = TokenizerFiles.Load(dir);
                var sets = m.Evaluation.Datasets.Select(d => EvalDatasets.Load(d.Key, d.Value, tok, seqLen, m.Evaluation.TextColumn)).ToList();
                results = ModelEvaluation.Run(model, sets, null, ct);
            }
            var list = results;
            logger.LogInformation("run {Run}: evaluated the {Model} model on {Count} data sets", m.RunId, m.Model, list.Count);
            await context.PublishReply(m.RunId, new ModelEvaluated(m.RunId, m.ModelPrefix, list, sw.Elapsed.TotalSeconds, m.Model));
        }
        finally
        {
            if (!dense) Directory.Delete(dir, recursive: true);
        }
    }
}
