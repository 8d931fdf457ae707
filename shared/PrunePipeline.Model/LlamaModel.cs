using PrunePipeline.Errors;
using PrunePipeline.Model.Safetensors;
using PrunePipeline.Tensors;

namespace PrunePipeline.Model;

/// <summary>
/// A LLaMA-family model directory opened lazily: <c>config.json</c> is parsed and every expected tensor's presence
/// and shape is checked against the header at <see cref="Open"/>, but weights are read only when asked for (one
/// block at a time via <see cref="LoadBlock"/>), so pruning a 7B model needs memory for one block, not the model.
/// </summary>
public sealed class LlamaModel : IDisposable
{
    private readonly SafetensorsCheckpoint _checkpoint;
    private float[]? _embedding;
    private float[]? _finalNorm;
    private float[]? _lmHead;

    private LlamaModel(string directory, LlamaConfig config, SafetensorsCheckpoint checkpoint)
    {
        Directory = directory;
        Config = config;
        _checkpoint = checkpoint;
    }

    public LlamaConfig Config { get; }

    /// <summary>The model directory.</summary>
    public string Directory { get; }

    /// <summary>Every tensor name in the checkpoint.</summary>
    public IReadOnlyList<string> TensorNames => [.. _checkpoint.TensorNames.Order(StringComparer.Ordinal)];

    /// <summary>Opens <paramref name="directory"/> (config.json + model.safetensors or its sharded index).</summary>
    public static LlamaModel Open(string directory)
    {
        if (!System.IO.Directory.Exists(directory)) throw new DirectoryNotFoundException($"model directory not found: {directory}");
        var config = LlamaConfig.Load(Path.Combine(directory, "config.json"));
        var checkpoint = SafetensorsCheckpoint.Open(directory);
        try
        {
            foreach (var (name, shape) in LlamaTensorNames.Expected(config))
            {
                if (!checkpoint.Contains(name))
                    throw new InvalidDataException($"tensor '{name}' is missing from the checkpoint in {directory}");
                var info = checkpoint.Info(name);
                if (!info.Shape.SequenceEqual(shape))
                    throw new InvalidDataException(
                        $"tensor '{name}' in {info.File} has shape {info.ShapeText}, but config.json implies [{string.Join(", ", shape)}]");
                if (SafetensorsDType.ElementSize(info.DType) is null)
                    throw new UnsupportedInputException($"tensor '{name}' in {info.File} has dtype {info.DType}; supported: F32, F16, BF16");
            }
        }
        catch
        {
            checkpoint.Dispose();
            throw;
        }
        return new LlamaModel(directory, config, checkpoint);
    }

    /// <summary>Reads one tensor (fp32) by its HF name; refuses NaN/±Inf naming the tensor, file and element.</summary>
    public float[] ReadTensor(string name)
    {
        var values = _checkpoint.Read(name);
        var bad = Finite.FirstNonFinite(values);
        if (bad >= 0) throw NonFinite(name, bad, float.IsNaN(values[bad]));
        return values;
    }

    /// <summary>Reads one tensor as a CPU torch tensor in its stored dtype (BF16/F16 stay half size).</summary>
    public TorchSharp.torch.Tensor ReadStoredTensor(string name)
    {
        var tensor = _checkpoint.ReadTensor(name);
        // The same refusal as ReadTensor: a NaN/Inf weight would otherwise surface as a "non-finite loss" that names
        // neither the tensor nor the file.
        using var finite = TorchSharp.torch.isfinite(tensor);
        if (finite.all().item<bool>()) return tensor;
        using var flat = finite.reshape(-1);
        using var badIndex = flat.logical_not().nonzero();
        var bad = badIndex[0, 0].item<long>();
        using var badValue = tensor.reshape(-1)[bad];
        var isNaN = double.IsNaN(badValue.to_type(TorchSharp.torch.ScalarType.Float64).item<double>());
        tensor.Dispose();
        throw NonFinite(name, bad, isNaN);
    }

    private CorruptFileException NonFinite(string name, long bad, bool isNaN)
    {
        var info = _checkpoint.Info(name);
        var cols = info.Shape.Length >= 2 ? info.Shape[^1] : 0;
        var where = cols > 0 ? $"[{bad / cols}, {bad % cols}]" : $"{bad}";
        return new CorruptFileException(info.File, $"tensor '{name}' contains {(isNaN ? "NaN" : "Inf")} at element {where} " +
            $"(shape {info.ShapeText}); the checkpoint is corrupt or was saved after training diverged.");
    }

    /// <summary>Header info (dtype, shape, file) of one tensor.</summary>
    public TensorInfo TensorInfo(string name) => _checkpoint.Info(name);

    /// <summary>Reads the weights of decoder block <paramref name="layer"/> (a fresh copy each call).</summary>
    public DecoderBlockWeights LoadBlock(int layer)
    {
        if (layer < 0 || layer >= Config.NumHiddenLayers)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"model has {Config.NumHiddenLayers} layers");
        return new DecoderBlockWeights(Config, layer, (name, _) => ReadTensor(name));
    }

    /// <summary>Token embedding, vocab × d (read once, kept).</summary>
    public float[] Embedding => _embedding ??= ReadTensor(LlamaTensorNames.Embedding);

    /// <summary>Final RMSNorm weight, d.</summary>
    public float[] FinalNorm => _finalNorm ??= ReadTensor(LlamaTensorNames.FinalNorm);

    /// <summary>LM head, vocab × d; the embedding itself when tied.</summary>
    public float[] LmHead => Config.TieWordEmbeddings ? Embedding : _lmHead ??= ReadTensor(LlamaTensorNames.LmHead);

    /// <summary>hidden[t, :] = embedding[tokens[t], :]; hidden is T×d.</summary>
    public void Embed(ReadOnlySpan<int> tokens, Span<float> hidden) => Embed(Embedding, Config, tokens, hidden);

    /// <summary>Embedding lookup with a clear error for ids outside the vocabulary.</summary>
    public static void Embed(ReadOnlySpan<float> embedding, LlamaConfig config, ReadOnlySpan<int> tokens, Span<float> hidden)
    {
        var d = config.HiddenSize;
        if (hidden.Length < (long)tokens.Length * d) throw new ArgumentException($"hidden needs {tokens.Length}×{d} values", nameof(hidden));
        for (var t = 0; t < tokens.Length; t++)
        {
            var id = tokens[t];
            if ((uint)id >= (uint)config.VocabSize)
                throw new ArgumentException($"token id {id} at position {t} is outside the vocabulary (size {config.VocabSize})", nameof(tokens));
            embedding.Slice(id * d, d).CopyTo(hidden.Slice(t * d, d));
        }
    }

    public void Dispose() => _checkpoint.Dispose();
}
