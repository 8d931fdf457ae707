using PrunePipeline.Evaluation;
using PrunePipeline.Evaluation.Datasets;
using PrunePipeline.Model;

namespace PrunePipeline.Workflow;

/// <summary>
/// The "evaluate a model" stage: perplexity of one model on already tokenized data sets (algorithm.md §9), each
/// result carrying its seqlen and convention.
/// </summary>
public static class ModelEvaluation
{
    /// <summary>Perplexity per data set, in the order given.</summary>
    public static IReadOnlyList<DatasetPerplexity> Run(LlamaModel model, IReadOnlyList<EvalSequences> datasets,
        Action<string, int, int>? progress = null, CancellationToken ct = default)
    {
        var results = new List<DatasetPerplexity>();
        foreach (var data in datasets)
        {
            ct.ThrowIfCancellationRequested();
            var r = PerplexityEvaluator.Evaluate(model, data, progress is null ? null : new Progress(data.Dataset, progress), ct);
            results.Add(new DatasetPerplexity(data.Dataset, data.SeqLen, data.Convention, data.Sequences.Count, data.PredictedTokens, r.Perplexity));
        }
        return results;
    }

    private sealed class Progress(string dataset, Action<string, int, int> report) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => report(dataset, value.Done, value.Total);
    }
}
