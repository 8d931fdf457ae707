using PrunePipeline.Evaluation.Datasets;
using PrunePipeline.Model;

namespace PrunePipeline.Evaluation;

/// <summary>
/// Perplexity of a model on a data set cut by its §9 convention. Every block is loaded once per evaluation and kept
/// resident; each sequence is one whole-sequence forward. Aggregation follows <see cref="EvalSequences.Aggregation"/>:
/// exp(mean of per-window mean NLL) or exp(total NLL ÷ total predictions); NLLs are summed in double.
/// </summary>
public static class PerplexityEvaluator
{
    public static PerplexityResult Evaluate(LlamaModel model, EvalSequences data, IProgress<(int done, int total)>? progress,
        CancellationToken ct) => Evaluate(LlamaForward.Create(model, MaxLength(data), ct), data, progress, ct);

    /// <summary>Evaluates with an existing forward (weights already resident, e.g. after pruning in memory).</summary>
    public static PerplexityResult Evaluate(LlamaForward forward, EvalSequences data, IProgress<(int done, int total)>? progress,
        CancellationToken ct)
    {
        var count = data.Sequences.Count;
        if (count == 0) throw new InvalidDataException($"data set '{data.Dataset}' has no sequences to score");
        if (MaxLength(data) > forward.MaxTokens)
            throw new ArgumentException($"data set '{data.Dataset}' has sequences of {MaxLength(data)} tokens; the forward holds {forward.MaxTokens}");
        var sumOfWindowLosses = 0.0;
        var totalNll = 0.0;
        long predicted = 0;
        var windows = 0;
        for (var i = 0; i < count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var seq = data.Sequences[i];
            if (seq.Length >= 2)
            {
                var nll = forward.SequenceNll(seq);
                totalNll += nll;
                sumOfWindowLosses += nll / (seq.Length - 1);
                predicted += seq.Length - 1;
                windows++;
            }
            progress?.Report((i + 1, count));
        }
        if (windows == 0) throw new InvalidDataException($"data set '{data.Dataset}' has no sequence with at least 2 tokens");
        var loss = data.Aggregation switch
        {
            LossAggregation.MeanOfWindowLosses => sumOfWindowLosses / windows,
            LossAggregation.TokenWeighted => totalNll / predicted,
            _ => throw new ArgumentOutOfRangeException(nameof(data), data.Aggregation, "unknown aggregation"),
        };
        return new PerplexityResult(data.Dataset, data.Convention, data.SeqLen, predicted, windows, Math.Exp(loss));
    }

    private static int MaxLength(EvalSequences data) => Math.Max(2, data.Sequences.Count == 0 ? 2 : data.Sequences.Max(s => s.Length));
}
