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
        if (datasets.Count == 0) return results;
        var maxLen = datasets.Max(d => d.Sequences.Count == 0 ? 1 : d.Sequences.Max(s => s.Length));
        var forward = LlamaForward.Create(model, Math.Max(1, maxLen), ct);
        foreach (var data in datasets)
        {
            double sumNll = 0, sumWindowLoss = 0;
            long predicted = 0;
            var windows = 0;
            for (var i = 0; i < data.Sequences.Count; i++)
            {
                ct.ThrowIfCancellationRequested();
                var seq = data.Sequences[i];
                if (seq.Length < 2) continue;
                var nll = forward.SequenceNll(seq);
                sumNll += nll;
                predicted += seq.Length - 1;
                sumWindowLoss += nll / (seq.Length - 1);
                windows++;
                if ((i & 15) == 15 || i + 1 == data.Sequences.Count) progress?.Invoke(data.Dataset, i + 1, data.Sequences.Count);
            }
            if (windows == 0) throw new InvalidDataException($"data set {data.Dataset} has no sequence with at least 2 tokens.");
            var ppl = data.Aggregation == LossAggregation.MeanOfWindowLosses ? Math.Exp(sumWindowLoss / windows) : Math.Exp(sumNll / predicted);
            results.Add(new DatasetPerplexity(data.Dataset, data.SeqLen, data.Convention, data.Sequences.Count, predicted, ppl));
        }
        return results;
    }
}
