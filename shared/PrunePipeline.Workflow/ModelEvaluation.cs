using PrunePipeline.Evaluation;
using PrunePipeline.Evaluation.Datasets;
using PrunePipeline.Model;

namespace PrunePipeline.Workflow;

/// <summary>
/// The "evaluate a model" stage: perplexity of one model on already tokenized data sets (algorithm.md §9, through
/// <see cref="PerplexityEvaluator"/>), each result carrying its seqlen and convention. The model's blocks are loaded
/// once for all data sets.
/// </summary>
public static class ModelEvaluation
{
    /// <summary>Perplexity per data set, in the order given.</summary>
    public static IReadOnlyList<DatasetPerplexity> Run(LlamaModel model, IReadOnlyList<EvalSequences> datasets,
        Action<string, int, int>? progress = null, CancellationToken ct = default)
    {
        var results = new List<DatasetPerplexity>();
        if (datasets.Count == 0) return results;
        var maxLen = datasets.Max(d => d.Sequences.Count == 0 ? 2 : d.Sequences.Max(s => s.Length));
        var forward = LlamaForward.Create(model, Math.Max(2, maxLen), ct);
        foreach (var data in datasets)
        {
            var r = PerplexityEvaluator.Evaluate(forward, data, progress is null ? null : new Progress(data.Dataset, progress), ct);
            results.Add(new DatasetPerplexity(data.Dataset, r.Ppl, data.SeqLen, data.Convention, r.Tokens, r.Windows));
        }
        return results;
    }

    private sealed class Progress(string dataset, Action<string, int, int> report) : IProgress<(int done, int total)>
    {
        public void Report((int done, int total) value) => report(dataset, value.done, value.total);
    }
}
