using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Logging;
using PrunePipeline.Artifacts;
using PrunePipeline.Contracts;
using PrunePipeline.Evaluation.Datasets;
using PrunePipeline.Model;
using PrunePipeline.Pipeline.Hosting;
using PrunePipeline.Tokenizers;
using PrunePipeline.Workflow;

namespace PrunePipeline.Pipeline.Evaluator;

/// <summary>Perplexities of the assembled model (downloaded from the store, loaded exactly as <c>prunectl eval</c>
/// would) with the workflow's <see cref="ModelEvaluation"/>.</summary>
public sealed class EvaluateModelConsumer(IArtifactStore store, ILogger<EvaluateModelConsumer> logger) : IConsumer<EvaluateModel>
{
    public Task Consume(ConsumeContext<EvaluateModel> context) =>
        context.RunStage(context.Message.RunId, PipelineStages.Evaluate, logger, () => Evaluate(context));

    async Task Evaluate(ConsumeContext<EvaluateModel> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        var sw = Stopwatch.StartNew();
        var dir = Directory.CreateTempSubdirectory("prune-evaluate-").FullName;
        try
        {
            await store.DownloadDirectoryAsync(m.ModelPrefix, dir, ct);
            IReadOnlyList<Workflow.DatasetPerplexity> results;
            using (var model = LlamaModel.Open(dir))
            {
                var seqLen = m.Evaluation.SeqLen ?? PruneRun.DefaultSeqLen(model.Config);
                var tok = TokenizerFiles.Load(dir);
                var sets = m.Evaluation.Datasets.Select(d => EvalDatasets.Load(d.Key, d.Value, tok, seqLen)).ToList();
                results = ModelEvaluation.Run(model, sets, null, ct);
            }
            var list = results.Select(r => new Contracts.DatasetPerplexity(r.Dataset, r.Perplexity, r.SeqLen, r.Convention, r.PredictedTokens)).ToList();
            logger.LogInformation("run {Run}: evaluated {Count} data sets", m.RunId, list.Count);
            await context.PublishReply(m.RunId, new ModelEvaluated(m.RunId, m.ModelPrefix, list, sw.Elapsed.TotalSeconds));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
