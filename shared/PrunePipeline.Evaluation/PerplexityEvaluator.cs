using PrunePipeline.Evaluation.Datasets;
using PrunePipeline.Model;
using PrunePipeline.Tensors;

namespace PrunePipeline.Evaluation;

/// <summary>
/// Perplexity of a model on a data set cut by its §9 convention. A model on disk is evaluated block by block over all
/// windows (<see cref="BlockwisePerplexity"/>: one block resident); weights already in memory go through a
/// <see cref="LlamaForward"/>, one whole-sequence forward per window. Aggregation follows <see cref="EvalSequences.Aggregation"/>:
/// exp(mean of per-window mean NLL) or exp(total NLL ÷ total predictions). Per-sequence NLLs are stored and summed
/// in sequence order in double, so the result does not depend on the number of workers.
/// </summary>
public static class PerplexityEvaluator
{
    /// <summary>
    /// Hidden sizes up to this run several windows at once on a resident forward: their GEMMs are too small for the
    /// GEMM's own threading to pay off. Larger models run one window at a time with multi-threaded GEMMs.
    /// </summary>
    public const int ParallelSequencesMaxHidden = 256;

    /// <summary>Block-by-block evaluation of a model on disk; progress counts (block, batch) steps.</summary>
    public static PerplexityResult Evaluate(LlamaModel model, EvalSequences data, IProgress<(int done, int total)>? progress,
        CancellationToken ct, ComputeTarget? target = null)
    {
        if (data.Sequences.Count == 0) throw new InvalidDataException($"data set '{data.Dataset}' has no sequences to score");
        if (MaxLength(data) > model.Config.SlidingWindow)
            throw new NotSupportedException($"data set '{data.Dataset}' has windows of {MaxLength(data)} tokens, above sliding_window {model.Config.SlidingWindow}");
        var nll = BlockwisePerplexity.WindowNlls(model, data.Sequences, target ?? ComputeTarget.Default, progress, ct);
        return Aggregate(data, nll);
    }

    /// <summary>Evaluates with an existing forward (weights already resident, e.g. after pruning in memory).</summary>
    /// <param name="workers">Sequences in flight; null picks by model size (see <see cref="ParallelSequencesMaxHidden"/>).</param>
    public static PerplexityResult Evaluate(LlamaForward forward, EvalSequences data, IProgress<(int done, int total)>? progress,
        CancellationToken ct, int? workers = null)
    {
        var count = data.Sequences.Count;
        if (count == 0) throw new InvalidDataException($"data set '{data.Dataset}' has no sequences to score");
        if (MaxLength(data) > forward.MaxTokens)
            throw new ArgumentException($"data set '{data.Dataset}' has sequences of {MaxLength(data)} tokens; the forward holds {forward.MaxTokens}");
        var n = workers ?? (forward.Config.HiddenSize <= ParallelSequencesMaxHidden ? Math.Min(Environment.ProcessorCount, 8) : 1);
        var nll = new double[count];
        if (n <= 1) RunSequential(forward, data, nll, progress, ct);
        else RunParallel(forward, data, nll, n, progress, ct);
        return Aggregate(data, nll);
    }

    /// <summary>exp of the data set's aggregation of per-window NLLs (windows with &lt; 2 tokens are skipped).</summary>
    private static PerplexityResult Aggregate(EvalSequences data, double[] nll)
    {
        var count = data.Sequences.Count;
        var sumOfWindowLosses = 0.0;
        var totalNll = 0.0;
        long predicted = 0;
        var windows = 0;
        for (var i = 0; i < count; i++)
        {
            var len = data.Sequences[i].Length;
            if (len < 2) continue;
            totalNll += nll[i];
            sumOfWindowLosses += nll[i] / (len - 1);
            predicted += len - 1;
            windows++;
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

    private static void RunSequential(LlamaForward forward, EvalSequences data, double[] nll, IProgress<(int done, int total)>? progress,
        CancellationToken ct)
    {
        var count = data.Sequences.Count;
        for (var i = 0; i < count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var seq = data.Sequences[i];
            if (seq.Length >= 2) nll[i] = forward.SequenceNll(seq);
            progress?.Report((i + 1, count));
        }
    }

    private static void RunParallel(LlamaForward forward, EvalSequences data, double[] nll, int workers,
        IProgress<(int done, int total)>? progress, CancellationToken ct)
    {
        var count = data.Sequences.Count;
        var forwards = new LlamaForward[workers];
        forwards[0] = forward;
        for (var w = 1; w < workers; w++) forwards[w] = forward.Clone();
        var next = -1;
        var done = 0;
        var gate = new object();
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = ct }, w =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                ct.ThrowIfCancellationRequested();
                var seq = data.Sequences[i];
                if (seq.Length >= 2) nll[i] = forwards[w].SequenceNll(seq);
                // Progress is reported under a lock so the count a reporter sees only grows.
                lock (gate) progress?.Report((++done, count));
            }
        });
    }

    private static int MaxLength(EvalSequences data) => Math.Max(2, data.Sequences.Count == 0 ? 2 : data.Sequences.Max(s => s.Length));
}
