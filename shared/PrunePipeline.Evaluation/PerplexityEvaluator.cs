using PrunePipeline.Evaluation.Datasets;
using PrunePipeline.Model;
using PrunePipeline.Numerics;

namespace PrunePipeline.Evaluation;

/// <summary>
/// Perplexity of a model on a data set cut by its §9 convention. Every block is loaded once per evaluation and kept
/// resident; each sequence is one whole-sequence forward. Aggregation follows <see cref="EvalSequences.Aggregation"/>:
/// exp(mean of per-window mean NLL) or exp(total NLL ÷ total predictions). Per-sequence NLLs are stored and summed
/// in sequence order in double, so the result does not depend on the number of workers.
/// </summary>
public static class PerplexityEvaluator
{
    /// <summary>
    /// Hidden sizes up to this run one sequence per core with single-threaded BLAS: their GEMMs are too small for
    /// OpenBLAS's threading to pay off (measured on stories260K: ~1.5× faster on 2 cores). Larger models keep
    /// sequential sequences and multi-threaded GEMMs.
    /// </summary>
    public const int ParallelSequencesMaxHidden = 256;

    public static PerplexityResult Evaluate(LlamaModel model, EvalSequences data, IProgress<(int done, int total)>? progress,
        CancellationToken ct) => Evaluate(LlamaForward.Create(model, MaxLength(data), ct), data, progress, ct);

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
        var threads = Blas.Threads;
        Blas.SetThreads(1);
        try
        {
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
        finally
        {
            Blas.SetThreads(threads);
        }
    }

    private static int MaxLength(EvalSequences data) => Math.Max(2, data.Sequences.Count == 0 ? 2 : data.Sequences.Max(s => s.Length));
}
