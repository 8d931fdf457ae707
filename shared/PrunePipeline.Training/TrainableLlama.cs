using PrunePipeline.Model;
using PrunePipeline.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PrunePipeline.Training;

/// <summary>
/// A whole LLaMA model on torch for training: the seven linears of every block are trainable parameters (autograd),
/// embedding, norms and LM head are frozen tensors. The forward is the inference maths itself
/// (<see cref="DecoderBlock.Forward(BlockTensors, LlamaConfig, Tensor, RopeTables, ILinearInputObserver?)"/>,
/// <see cref="DecoderBlock.RmsNorm"/>), so training and evaluation cannot drift apart.
/// Legend: B sequences, T tokens, d hidden, V vocab.
/// <para>Activation checkpointing: TorchSharp 0.107 has no <c>torch.utils.checkpoint</c>, so <see cref="Backward"/>
/// does it by hand when <see cref="Checkpointing"/> is on: a forward without autograd keeps only each block's input
/// [B, T, d]; the head's backward gives ∂loss/∂h_L; then block by block from the last, the block is recomputed with
/// autograd from its saved input and back-propagated with the incoming gradient (parameter gradients accumulate,
/// the input's gradient feeds the block before). Peak memory ≈ L block inputs + one block's graph + the head's.</para>
/// </summary>
public sealed class TrainableLlama : IDisposable
{
    private readonly Tensor _embedding; // V × d, compute dtype
    private readonly Tensor _finalNorm; // d
    private readonly Tensor _lmHead;    // V × d (the embedding itself when tied)
    private readonly BlockTensors[] _blocks;
    private readonly Parameter[][] _linears; // [block][q,k,v,o,gate,up,down]
    private readonly RopeTables _rope;

    private TrainableLlama(LlamaConfig config, ComputeTarget target, Tensor embedding, Tensor finalNorm, Tensor lmHead,
        IReadOnlyList<DecoderBlockWeights> blocks, int maxTokens)
    {
        Config = config;
        Target = target;
        MaxTokens = maxTokens;
        _embedding = embedding.DetachFromDisposeScope();
        _finalNorm = finalNorm.DetachFromDisposeScope();
        _lmHead = lmHead.DetachFromDisposeScope();
        _rope = new RopeTables(config, maxTokens, target);
        _blocks = new BlockTensors[blocks.Count];
        _linears = new Parameter[blocks.Count][];
        for (var k = 0; k < blocks.Count; k++)
        {
            var b = blocks[k];
            var ps = new Parameter[DecoderBlockWeights.LinearNames.Count];
            for (var i = 0; i < ps.Length; i++)
            {
                var (rows, cols) = DecoderBlockWeights.LinearShape(config, DecoderBlockWeights.LinearNames[i]);
                ps[i] = new Parameter(ToTarget(b.GetLinear(DecoderBlockWeights.LinearNames[i]), target, rows, cols), requires_grad: true);
            }
            _linears[k] = ps;
            _blocks[k] = BlockTensors.Of([.. ps], ToTarget(b.InputLayerNorm, target, config.HiddenSize),
                ToTarget(b.PostAttentionLayerNorm, target, config.HiddenSize));
        }
    }

    public LlamaConfig Config { get; }
    public ComputeTarget Target { get; }
    public int MaxTokens { get; }

    /// <summary>Recompute each block in backward instead of keeping its activations (memory ≈ one block's).</summary>
    public bool Checkpointing { get; set; }

    /// <summary>Every trainable matrix, block by block in q, k, v, o, gate, up, down order.</summary>
    public IReadOnlyList<Parameter> Parameters => [.. _linears.SelectMany(p => p)];

    /// <summary>The trainable matrix <paramref name="linear"/> (index into LinearNames) of block <paramref name="block"/>.</summary>
    public Parameter Linear(int block, int linear) => _linears[block][linear];

    /// <summary>A trainable copy of explicit fp32 weights (copied: the arrays are never modified).</summary>
    public static TrainableLlama Create(LlamaConfig config, IReadOnlyList<DecoderBlockWeights> blocks, float[] embedding, float[] finalNorm,
        float[] lmHead, int maxTokens, ComputeTarget target)
    {
        TorchRuntime.Initialize();
        if (blocks.Count != config.NumHiddenLayers)
            throw new ArgumentException($"{blocks.Count} blocks given, config has {config.NumHiddenLayers}", nameof(blocks));
        long V = config.VocabSize, d = config.HiddenSize;
        var e = ToTarget(embedding, target, V, d);
        var h = ReferenceEquals(embedding, lmHead) ? e.alias() : ToTarget(lmHead, target, V, d);
        return new TrainableLlama(config, target, e, ToTarget(finalNorm, target, d), h, blocks, maxTokens);
    }

    /// <summary>Loads every block of <paramref name="model"/> (the whole model is resident: training needs it).</summary>
    public static TrainableLlama Load(LlamaModel model, int maxTokens, ComputeTarget target)
    {
        var blocks = Enumerable.Range(0, model.Config.NumHiddenLayers).Select(model.LoadBlock).ToList();
        return Create(model.Config, blocks, model.Embedding, model.FinalNorm, model.LmHead, maxTokens, target);
    }

    /// <summary>Logits [B, T, V] (compute dtype) of token ids [B, T] (int64 on any device).</summary>
    public Tensor Logits(Tensor ids)
    {
        if (ids.dim() != 2) throw new ArgumentException($"ids must be [B, T], is [{string.Join(", ", ids.shape)}]", nameof(ids));
        if (ids.shape[1] > MaxTokens) throw new ArgumentException($"{ids.shape[1]} tokens exceed this model's capacity of {MaxTokens}", nameof(ids));
        using var scope = torch.NewDisposeScope();
        var hidden = _embedding.index_select(0, ids.reshape(-1).to(Target.Device)).view(ids.shape[0], ids.shape[1], Config.HiddenSize);
        for (var k = 0; k < _blocks.Length; k++) hidden = DecoderBlock.Forward(_blocks[k], Config, hidden, _rope);
        return Head(hidden).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// loss(logits(ids)) and its gradient accumulated into every parameter's <c>grad</c> (callers zero them).
    /// Returns the loss value.
    /// </summary>
    public double Backward(Tensor ids, Func<Tensor, Tensor> loss)
    {
        using var scope = torch.NewDisposeScope();
        if (!Checkpointing)
        {
            var l = loss(Logits(ids));
            l.backward();
            return l.to_type(ScalarType.Float64).item<double>();
        }
        if (ids.shape[1] > MaxTokens) throw new ArgumentException($"{ids.shape[1]} tokens exceed this model's capacity of {MaxTokens}", nameof(ids));
        var inputs = new Tensor[_blocks.Length];
        Tensor hidden;
        using (torch.no_grad())
        {
            hidden = _embedding.index_select(0, ids.reshape(-1).to(Target.Device)).view(ids.shape[0], ids.shape[1], Config.HiddenSize);
            for (var k = 0; k < _blocks.Length; k++)
            {
                inputs[k] = hidden;
                hidden = DecoderBlock.Forward(_blocks[k], Config, hidden, _rope);
            }
        }
        var last = hidden.detach().requires_grad_(true);
        var value = loss(Head(last));
        value.backward();
        var grad = last.grad!;
        for (var k = _blocks.Length - 1; k >= 0; k--)
        {
            using var blockScope = torch.NewDisposeScope();
            var x = inputs[k].detach().requires_grad_(k > 0);
            var y = DecoderBlock.Forward(_blocks[k], Config, x, _rope);
            (y * grad).sum().backward(); // vector-Jacobian product with the gradient arriving from above
            if (k > 0) grad = x.grad!.detach().clone().MoveToOuterDisposeScope();
        }
        return value.to_type(ScalarType.Float64).item<double>();
    }

    private Tensor Head(Tensor hidden) => F.linear(DecoderBlock.RmsNorm(hidden, _finalNorm, Config.RmsNormEps), _lmHead);

    /// <summary>Mean next-token cross-entropy over B·(T−1) predictions of ids [B, T] (scalar, fp32 or fp64).</summary>
    public Tensor LmLoss(Tensor ids) => LmLoss(Logits(ids), ids);

    /// <summary>Mean next-token cross-entropy of precomputed logits [B, T, V] against ids [B, T].</summary>
    public static Tensor LmLoss(Tensor logits, Tensor ids)
    {
        using var scope = torch.NewDisposeScope();
        long B = logits.shape[0], T = logits.shape[1], V = logits.shape[2];
        var pred = logits.narrow(1, 0, T - 1).reshape(B * (T - 1), V);
        if (pred.dtype != ScalarType.Float64) pred = pred.to_type(ScalarType.Float32);
        var target = ids.narrow(1, 1, T - 1).reshape(-1).to(logits.device);
        return F.cross_entropy(pred, target).MoveToOuterDisposeScope();
    }

    /// <summary>The current weights of one block's linears as fp32 arrays (q … down).</summary>
    public float[][] ExportLinears(int block)
    {
        using var scope = torch.NewDisposeScope();
        return [.. _linears[block].Select(p => p.detach().to(ScalarType.Float32, torch.CPU).contiguous().data<float>().ToArray())];
    }

    private static Tensor ToTarget(float[] values, ComputeTarget target, params long[] shape)
    {
        using var wrapped = TensorMemory.Wrap(values, shape);
        return wrapped.to(target.DType, target.Device, copy: true).DetachFromDisposeScope();
    }

    public void Dispose()
    {
        foreach (var b in _blocks) b.Dispose();
        if (!ReferenceEquals(_lmHead, _embedding)) _lmHead.Dispose();
        _embedding.Dispose();
        _finalNorm.Dispose();
        _rope.Dispose();
    }
}
