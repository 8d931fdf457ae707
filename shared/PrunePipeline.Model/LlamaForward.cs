using System.Numerics.Tensors;
using PrunePipeline.Errors;
using PrunePipeline.Model.Kernels;
using PrunePipeline.Numerics;

namespace PrunePipeline.Model;

/// <summary>
/// Whole-model forward over one token sequence with every block resident: next-token NLL (for perplexity) and
/// logits (for generation). Owns its workspace, so one instance serves one thread; <see cref="Clone"/> makes another
/// instance sharing the same weights. Legend: T tokens, d hidden, V vocab.
/// </summary>
public sealed class LlamaForward
{
    // Logit rows per LM-head sgemm: bounded so a 128k vocab at long T does not need T×V floats at once.
    private const int MaxLogitFloats = 1 << 23;

    private readonly float[] _embedding;
    private readonly float[] _finalNorm;
    private readonly float[] _lmHead;
    private readonly BlockWorkspace _ws;
    private readonly float[] _hidden;
    private readonly float[] _normed;
    private readonly float[] _logits;
    private readonly int _logitRows;
    private readonly float[] _rowScratch;

    /// <summary>Forward over explicit weights (all blocks resident).</summary>
    public LlamaForward(LlamaConfig config, IReadOnlyList<DecoderBlockWeights> blocks, float[] embedding, float[] finalNorm,
        float[] lmHead, int maxTokens)
    {
        if (blocks.Count != config.NumHiddenLayers)
            throw new ArgumentException($"{blocks.Count} blocks given, config has {config.NumHiddenLayers}", nameof(blocks));
        long vd = (long)config.VocabSize * config.HiddenSize;
        if (embedding.Length != vd) throw new ArgumentException($"embedding needs {vd} values, has {embedding.Length}", nameof(embedding));
        if (lmHead.Length != vd) throw new ArgumentException($"lm head needs {vd} values, has {lmHead.Length}", nameof(lmHead));
        if (finalNorm.Length != config.HiddenSize) throw new ArgumentException("final norm has the wrong length", nameof(finalNorm));
        Config = config;
        Blocks = blocks;
        _embedding = embedding;
        _finalNorm = finalNorm;
        _lmHead = lmHead;
        MaxTokens = maxTokens;
        _ws = new BlockWorkspace(config, maxTokens);
        _hidden = new float[maxTokens * config.HiddenSize];
        _normed = new float[maxTokens * config.HiddenSize];
        _logitRows = Math.Clamp(MaxLogitFloats / config.VocabSize, 1, maxTokens);
        _logits = new float[_logitRows * config.VocabSize];
        _rowScratch = new float[config.VocabSize];
    }

    public LlamaConfig Config { get; }
    public IReadOnlyList<DecoderBlockWeights> Blocks { get; }
    public int MaxTokens { get; }

    /// <summary>Loads every block of <paramref name="model"/> once and keeps them for all calls.</summary>
    public static LlamaForward Create(LlamaModel model, int maxTokens, CancellationToken ct = default)
    {
        var blocks = new DecoderBlockWeights[model.Config.NumHiddenLayers];
        for (var i = 0; i < blocks.Length; i++)
        {
            ct.ThrowIfCancellationRequested();
            blocks[i] = model.LoadBlock(i);
        }
        return new LlamaForward(model.Config, blocks, model.Embedding, model.FinalNorm, model.LmHead, maxTokens);
    }

    /// <summary>Another forward sharing this one's weights, with its own workspace (for another thread).</summary>
    public LlamaForward Clone() => new(Config, Blocks, _embedding, _finalNorm, _lmHead, MaxTokens);

    /// <summary>
    /// Sum over t = 0..T−2 of −log p(tokens[t+1] | tokens[0..t]), via a numerically stable log-softmax accumulated in
    /// double. Optionally writes each prediction's NLL into <paramref name="perToken"/> (length T−1).
    /// </summary>
    public double SequenceNll(ReadOnlySpan<int> tokens, Span<double> perToken = default)
    {
        var T = tokens.Length;
        if (T < 2) return 0;
        if (!perToken.IsEmpty && perToken.Length < T - 1) throw new ArgumentException($"perToken needs {T - 1} values", nameof(perToken));
        var normed = RunToFinalNorm(tokens);
        var V = Config.VocabSize;
        var d = Config.HiddenSize;
        var total = 0.0;
        for (var r0 = 0; r0 < T - 1; r0 += _logitRows)
        {
            var rows = Math.Min(_logitRows, T - 1 - r0);
            var logits = _logits.AsSpan(0, rows * V);
            Blas.Sgemm(normed.Slice(r0 * d, rows * d), false, _lmHead, true, logits, rows, V, d);
            for (var r = 0; r < rows; r++)
            {
                var row = logits.Slice(r * V, V);
                var target = tokens[r0 + r + 1];
                var nll = LogSumExp(row, _rowScratch) - row[target];
                if (!double.IsFinite(nll))
                    throw new BadInputException($"non-finite loss at position {r0 + r} (logits contain NaN or Inf: the weights are broken)");
                total += nll;
                if (!perToken.IsEmpty) perToken[r0 + r] = nll;
            }
        }
        return total;
    }

    /// <summary>Logits of every position: logits is T×V (position t predicts token t+1).</summary>
    public void Logits(ReadOnlySpan<int> tokens, Span<float> logits)
    {
        var T = tokens.Length;
        var V = Config.VocabSize;
        if (logits.Length < (long)T * V) throw new ArgumentException($"logits needs {T}×{V} values", nameof(logits));
        var normed = RunToFinalNorm(tokens);
        Blas.Sgemm(normed, false, _lmHead, true, logits[..(T * V)], T, V, Config.HiddenSize);
    }

    /// <summary>Logits of the last position only (V values): what greedy generation needs.</summary>
    public void LastLogits(ReadOnlySpan<int> tokens, Span<float> logits)
    {
        var V = Config.VocabSize;
        var d = Config.HiddenSize;
        if (logits.Length < V) throw new ArgumentException($"logits needs {V} values", nameof(logits));
        var normed = RunToFinalNorm(tokens);
        Blas.Sgemv(_lmHead, normed.Slice((tokens.Length - 1) * d, d), logits, V, d);
    }

    /// <summary>
    /// log Σ exp(x) = max + log Σ exp(x − max): the shifted exponentials are at most 1 (no overflow), computed with
    /// SIMD in float and summed in double. <paramref name="scratch"/> has x.Length values.
    /// </summary>
    public static double LogSumExp(ReadOnlySpan<float> x, Span<float> scratch)
    {
        var max = TensorPrimitives.Max(x);
        var e = scratch[..x.Length];
        TensorPrimitives.Subtract(x, max, e);
        TensorPrimitives.Exp(e, e);
        var sum = 0.0;
        foreach (var v in e) sum += v;
        return max + Math.Log(sum);
    }

    private ReadOnlySpan<float> RunToFinalNorm(ReadOnlySpan<int> tokens)
    {
        var T = tokens.Length;
        if (T == 0) throw new ArgumentException("empty token sequence", nameof(tokens));
        if (T > MaxTokens) throw new ArgumentException($"{T} tokens exceed this forward's capacity of {MaxTokens}", nameof(tokens));
        var d = Config.HiddenSize;
        var hidden = _hidden.AsSpan(0, T * d);
        LlamaModel.Embed(_embedding, Config, tokens, hidden);
        foreach (var block in Blocks) DecoderBlock.Forward(block, Config, hidden, T, _ws);
        var normed = _normed.AsSpan(0, T * d);
        RmsNorm.Forward(hidden, _finalNorm, normed, T, d, Config.RmsNormEps);
        return normed;
    }
}
