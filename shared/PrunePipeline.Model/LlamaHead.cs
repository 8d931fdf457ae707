using PrunePipeline.Errors;
using PrunePipeline.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PrunePipeline.Model;

/// <summary>
/// The parts of a LLaMA model outside its blocks: token embedding (vocab × d), final RMSNorm (d) and LM head
/// (vocab × d, the embedding itself when tied). Embedding and head keep the dtype they were given (a BF16 checkpoint's
/// stay half size); rows are converted to the compute dtype when used. Legend: T tokens, d hidden, V vocab.
/// </summary>
public sealed class LlamaHead : IDisposable
{
    // Logit rows per head GEMM: bounded so a 128k vocab at long T does not need T×V floats at once.
    private const long MaxLogitFloats = 1 << 23;

    private readonly Tensor _embedding; // V × d, stored dtype, CPU
    private readonly Tensor _finalNorm; // d, compute dtype, device
    private readonly Tensor _lmHead;    // V × d, compute dtype, device

    public LlamaHead(LlamaConfig config, Tensor embedding, Tensor finalNorm, Tensor lmHead, ComputeTarget target)
    {
        long V = config.VocabSize, d = config.HiddenSize;
        if (!embedding.shape.SequenceEqual([V, d])) throw new ArgumentException($"embedding must be [{V}, {d}], is [{string.Join(", ", embedding.shape)}]", nameof(embedding));
        if (!lmHead.shape.SequenceEqual([V, d])) throw new ArgumentException($"lm head must be [{V}, {d}], is [{string.Join(", ", lmHead.shape)}]", nameof(lmHead));
        if (!finalNorm.shape.SequenceEqual([d])) throw new ArgumentException($"final norm must be [{d}]", nameof(finalNorm));
        Config = config;
        Target = target;
        _embedding = embedding.alias().DetachFromDisposeScope();
        _finalNorm = finalNorm.to(target.DType, target.Device).DetachFromDisposeScope();
        _lmHead = lmHead.to(target.DType, target.Device).DetachFromDisposeScope();
    }

    /// <summary>The head of <paramref name="model"/>, read in its stored dtype.</summary>
    public static LlamaHead Load(LlamaModel model, ComputeTarget target)
    {
        TorchRuntime.Initialize(); // before the first touch of torch
        using var scope = torch.NewDisposeScope();
        var embedding = model.ReadStoredTensor(LlamaTensorNames.Embedding);
        var head = model.Config.TieWordEmbeddings ? embedding : model.ReadStoredTensor(LlamaTensorNames.LmHead);
        var norm = model.ReadStoredTensor(LlamaTensorNames.FinalNorm);
        return new LlamaHead(model.Config, embedding, norm, head, target);
    }

    /// <summary>A head over fp32 arrays (viewed, not copied, for an fp32 CPU target).</summary>
    public static LlamaHead FromArrays(LlamaConfig config, float[] embedding, float[] finalNorm, float[] lmHead, ComputeTarget target)
    {
        TorchRuntime.Initialize(); // before the first touch of torch
        using var scope = torch.NewDisposeScope();
        long V = config.VocabSize, d = config.HiddenSize;
        if (embedding.LongLength != V * d) throw new ArgumentException($"embedding needs {V * d} values, has {embedding.Length}", nameof(embedding));
        if (lmHead.LongLength != V * d) throw new ArgumentException($"lm head needs {V * d} values, has {lmHead.Length}", nameof(lmHead));
        if (finalNorm.Length != d) throw new ArgumentException("final norm has the wrong length", nameof(finalNorm));
        var e = TensorMemory.Wrap(embedding, V, d);
        var h = ReferenceEquals(embedding, lmHead) ? e : TensorMemory.Wrap(lmHead, V, d);
        return new LlamaHead(config, e, TensorMemory.Wrap(finalNorm, d), h, target);
    }

    public LlamaConfig Config { get; }
    public ComputeTarget Target { get; }

    /// <summary>[1, T, d] embeddings of <paramref name="tokens"/> in the compute dtype on the device.</summary>
    /// <exception cref="ArgumentException">a token id outside the vocabulary (named with its position).</exception>
    public Tensor Embed(ReadOnlySpan<int> tokens)
    {
        if (tokens.IsEmpty) throw new ArgumentException("empty token sequence", nameof(tokens));
        var ids = new long[tokens.Length];
        for (var t = 0; t < tokens.Length; t++)
        {
            if ((uint)tokens[t] >= (uint)Config.VocabSize)
                throw new ArgumentException($"token id {tokens[t]} at position {t} is outside the vocabulary (size {Config.VocabSize})", nameof(tokens));
            ids[t] = tokens[t];
        }
        using var scope = torch.NewDisposeScope();
        var rows = _embedding.index_select(0, torch.tensor(ids));
        return rows.to(Target.DType, Target.Device).unsqueeze(0).MoveToOuterDisposeScope();
    }

    /// <summary>Final RMSNorm of [.., T, d] activations.</summary>
    public Tensor Normalize(Tensor hidden) => DecoderBlock.RmsNorm(hidden, _finalNorm, Config.RmsNormEps);

    /// <summary>Logits [T, V] (fp32) of normalised activations [T, d].</summary>
    public Tensor Logits(Tensor normed) => F.linear(normed, _lmHead).to_type(ScalarType.Float32);

    /// <summary>
    /// Σ over t = 0..T−2 of −log p(tokens[t+1] | tokens[0..t]) from final-block activations [1, T, d] (or [T, d]):
    /// log-softmax in fp32, per-token losses summed in double in position order. Optionally writes each prediction's
    /// NLL into <paramref name="perToken"/> (length ≥ T−1).
    /// </summary>
    public double SequenceNll(Tensor hidden, ReadOnlySpan<int> tokens, Span<double> perToken = default)
    {
        var T = tokens.Length;
        if (T < 2) return 0;
        if (!perToken.IsEmpty && perToken.Length < T - 1) throw new ArgumentException($"perToken needs {T - 1} values", nameof(perToken));
        var chunk = Math.Clamp(MaxLogitFloats / Config.VocabSize, 1, T);
        var targets = new long[T - 1];
        for (var t = 0; t < T - 1; t++) targets[t] = tokens[t + 1];
        var nll = new float[T - 1];
        using (var scope = torch.NewDisposeScope())
        {
            var normed = Normalize(hidden.reshape(T, Config.HiddenSize));
            var target = torch.tensor(targets).to(Target.Device);
            for (long r0 = 0; r0 < T - 1; r0 += chunk)
            {
                var rows = Math.Min(chunk, T - 1 - r0);
                var logits = Logits(normed.narrow(0, r0, rows));
                var losses = F.cross_entropy(logits, target.narrow(0, r0, rows), reduction: nn.Reduction.None);
                TensorMemory.CopyTo(losses, nll.AsSpan((int)r0, (int)rows));
            }
        }
        var total = 0.0;
        for (var t = 0; t < T - 1; t++)
        {
            if (!float.IsFinite(nll[t]))
                throw new BadInputException($"non-finite loss at position {t} (logits contain NaN or Inf: the weights are broken)");
            total += nll[t];
            if (!perToken.IsEmpty) perToken[t] = nll[t];
        }
        return total;
    }

    public void Dispose()
    {
        _embedding.Dispose();
        _finalNorm.Dispose();
        _lmHead.Dispose();
    }
}
