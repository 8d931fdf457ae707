using PrunePipeline.Errors;
using PrunePipeline.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunePipeline.Model;

/// <summary>
/// Whole-model forward over one token sequence with every block resident (generation, and evaluation of weights
/// already in memory): next-token NLL and logits, on torch. Perplexity of a model on disk goes block by block
/// instead (PerplexityEvaluator), so only one block is resident. <see cref="Clone"/> shares the weights.
/// Legend: T tokens, d hidden, V vocab.
/// </summary>
public sealed class LlamaForward
{
    private readonly float[] _embedding;
    private readonly float[] _finalNorm;
    private readonly float[] _lmHead;
    private readonly BlockWorkspace _ws;
    private readonly LlamaHead _head;
    private readonly BlockTensors[]? _resident; // off the fp32 CPU path: every block converted once, kept on the device

    /// <summary>Forward over explicit fp32 weights (all blocks resident; on the CPU in fp32 they are viewed, not copied).</summary>
    public LlamaForward(LlamaConfig config, IReadOnlyList<DecoderBlockWeights> blocks, float[] embedding, float[] finalNorm,
        float[] lmHead, int maxTokens, ComputeTarget? target = null)
    {
        if (blocks.Count != config.NumHiddenLayers)
            throw new ArgumentException($"{blocks.Count} blocks given, config has {config.NumHiddenLayers}", nameof(blocks));
        Config = config;
        Blocks = blocks;
        _embedding = embedding;
        _finalNorm = finalNorm;
        _lmHead = lmHead;
        MaxTokens = maxTokens;
        _ws = new BlockWorkspace(config, maxTokens, target);
        _head = LlamaHead.FromArrays(config, embedding, finalNorm, lmHead, _ws.Target);
        if (_ws.CachesWeights) _resident = blocks.Select(b => BlockTensors.From(b, _ws.Target)).ToArray();
    }

    public LlamaConfig Config { get; }
    public IReadOnlyList<DecoderBlockWeights> Blocks { get; }
    public int MaxTokens { get; }
    public ComputeTarget Target => _ws.Target;

    /// <summary>Loads every block of <paramref name="model"/> once and keeps them for all calls.</summary>
    public static LlamaForward Create(LlamaModel model, int maxTokens, CancellationToken ct = default, ComputeTarget? target = null)
    {
        var blocks = new DecoderBlockWeights[model.Config.NumHiddenLayers];
        for (var i = 0; i < blocks.Length; i++)
        {
            ct.ThrowIfCancellationRequested();
            blocks[i] = model.LoadBlock(i);
        }
        return new LlamaForward(model.Config, blocks, model.Embedding, model.FinalNorm, model.LmHead, maxTokens, target);
    }

    /// <summary>Another forward sharing this one's weights (kept for callers that ran one per thread).</summary>
    public LlamaForward Clone() => new(Config, Blocks, _embedding, _finalNorm, _lmHead, MaxTokens, Target);

    /// <summary>
    /// Sum over t = 0..T−2 of −log p(tokens[t+1] | tokens[0..t]) (log-softmax in fp32, summed in double).
    /// Optionally writes each prediction's NLL into <paramref name="perToken"/> (length T−1).
    /// </summary>
    public double SequenceNll(ReadOnlySpan<int> tokens, Span<double> perToken = default)
    {
        if (tokens.Length < 2) return 0;
        using var scope = torch.NewDisposeScope();
        return _head.SequenceNll(RunBlocks(tokens), tokens, perToken);
    }

    /// <summary>Logits of every position: logits is T×V (position t predicts token t+1).</summary>
    public void Logits(ReadOnlySpan<int> tokens, Span<float> logits)
    {
        var T = tokens.Length;
        var V = Config.VocabSize;
        if (logits.Length < (long)T * V) throw new ArgumentException($"logits needs {T}×{V} values", nameof(logits));
        using var scope = torch.NewDisposeScope();
        var normed = _head.Normalize(RunBlocks(tokens).reshape(T, Config.HiddenSize));
        TensorMemory.CopyTo(_head.Logits(normed), logits[..(T * V)]);
    }

    /// <summary>Logits of the last position only (V values): what greedy generation needs.</summary>
    public void LastLogits(ReadOnlySpan<int> tokens, Span<float> logits)
    {
        var V = Config.VocabSize;
        if (logits.Length < V) throw new ArgumentException($"logits needs {V} values", nameof(logits));
        using var scope = torch.NewDisposeScope();
        var hidden = RunBlocks(tokens).reshape(tokens.Length, Config.HiddenSize);
        var normed = _head.Normalize(hidden.narrow(0, tokens.Length - 1, 1));
        TensorMemory.CopyTo(_head.Logits(normed), logits[..V]);
    }

    /// <summary>
    /// log Σ exp(x) = max + log Σ exp(x − max): the shifted exponentials are at most 1 (no overflow), computed with
    /// SIMD in float and summed in double. <paramref name="scratch"/> has x.Length values.
    /// </summary>
    public static double LogSumExp(ReadOnlySpan<float> x, Span<float> scratch)
    {
        var max = System.Numerics.Tensors.TensorPrimitives.Max(x);
        var e = scratch[..x.Length];
        System.Numerics.Tensors.TensorPrimitives.Subtract(x, max, e);
        System.Numerics.Tensors.TensorPrimitives.Exp(e, e);
        var sum = 0.0;
        foreach (var v in e) sum += v;
        return max + Math.Log(sum);
    }

    /// <summary>[1, T, d] activations after the last block (inside the caller's dispose scope).</summary>
    private Tensor RunBlocks(ReadOnlySpan<int> tokens)
    {
        var T = tokens.Length;
        if (T == 0) throw new ArgumentException("empty token sequence", nameof(tokens));
        if (T > MaxTokens) throw new ArgumentException($"{T} tokens exceed this forward's capacity of {MaxTokens}", nameof(tokens));
        var hidden = _head.Embed(tokens);
        for (var i = 0; i < Blocks.Count; i++)
        {
            if (_resident is not null)
            {
                hidden = DecoderBlock.Forward(_resident[i], Config, hidden, _ws.Rope);
                continue;
            }
            using var view = BlockTensors.From(Blocks[i], _ws.Target); // views of the arrays: always the current weights
            hidden = DecoderBlock.Forward(view, Config, hidden, _ws.Rope);
        }
        return hidden;
    }
}
