using PrunePipeline.Evaluation;
using PrunePipeline.Evaluation.Datasets;
using PrunePipeline.Model;
using PrunePipeline.Tensors;

namespace PrunePipeline.Workflow;

/// <summary>
/// The "evaluate a model" stage: perplexity of one model on already tokenized data sets (algorithm.md §9, through
/// <see cref="PerplexityEvaluator"/>, block by block: one block resident), each result carrying its seqlen and
/// convention.
/// </summary>
public static class ModelEvaluation
{
    /// <summary>Perplexity per data set, in the order given.</summary>
    public static IReadOnlyList<DatasetPerplexity> Run(LlamaModel model, IReadOnlyList<EvalSequences> datasets,
        Action<string, int, int>? progress = null, CancellationToken ct = default, ComputeTarget? target = null)
    {
        var results = new List<DatasetPerplexity>();
        foreach (var data in datasets)
        {
            var r = PerplexityEvaluator.Evaluate(model, data, progress is null ? null : new Progress(data.Dataset, progress), ct, target);
            results.Add(new DatasetPerplexity(data.Dataset, r.Ppl, data.SeqLen, data.Convention, r.Tokens, r.Windows));
        }
        return results;
    }

    private sealed class Progress(string dataset, Action<string, int, int> report) : IProgress<(int done, int total)>
    {
        public void Report((int done, int total) value) => report(dataset, value.done, value.total);
    }
}
