using PrunePipeline.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunePipeline.Model;

/// <summary>
/// One decoder block's weights as tensors on the compute device in the compute dtype (linears [out, in], norms [d]).
/// From fp32 CPU arrays with an fp32 CPU target the tensors view the arrays (no copy), so a pruner's in-place edits
/// are seen; otherwise they are converted copies. Dispose to release them (one block resident at a time).
/// </summary>
public sealed class BlockTensors : IDisposable
{
    private BlockTensors(Tensor[] linears, Tensor inputNorm, Tensor postNorm)
    {
        Linears = linears;
        InputNorm = inputNorm;
        PostAttentionNorm = postNorm;
        // Owned and disposed explicitly, not by whichever dispose scope happened to be open when they were made.
        foreach (var t in linears) t.DetachFromDisposeScope();
        inputNorm.DetachFromDisposeScope();
        postNorm.DetachFromDisposeScope();
    }

    /// <summary>q, k, v, o, gate, up, down in <see cref="DecoderBlockWeights.LinearNames"/> order.</summary>
    internal Tensor[] Linears { get; }
    internal Tensor InputNorm { get; }
    internal Tensor PostAttentionNorm { get; }

    /// <summary>The block's current weights on <paramref name="target"/>.</summary>
    public static BlockTensors From(DecoderBlockWeights weights, ComputeTarget target)
    {
        var linears = new Tensor[DecoderBlockWeights.LinearNames.Count];
        for (var i = 0; i < linears.Length; i++)
        {
            var (rows, cols) = DecoderBlockWeights.LinearShape(weights.Config, DecoderBlockWeights.LinearNames[i]);
            linears[i] = Place(weights.GetLinear(DecoderBlockWeights.LinearNames[i]), target, rows, cols);
        }
        long d = weights.Config.HiddenSize;
        return new BlockTensors(linears, Place(weights.InputLayerNorm, target, d), Place(weights.PostAttentionLayerNorm, target, d));
    }

    /// <summary>
    /// Block <paramref name="layer"/> of <paramref name="model"/> read straight from the checkpoint in its stored dtype
    /// and converted once to the target: no managed arrays, so its memory is released the moment it is disposed
    /// (managed fp32 blocks would wait for a full GC and pile up, one block per layer).
    /// </summary>
    public static BlockTensors Load(LlamaModel model, int layer, ComputeTarget target)
    {
        if (layer < 0 || layer >= model.Config.NumHiddenLayers)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"model has {model.Config.NumHiddenLayers} layers");
        Tensor Read(string shortName)
        {
            using var stored = model.ReadStoredTensor(LlamaTensorNames.Layer(layer, shortName));
            return stored.to(target.DType, target.Device);
        }
        using var scope = torch.NewDisposeScope();
        var linears = DecoderBlockWeights.LinearNames.Select(Read).ToArray();
        return new BlockTensors(linears, Read(DecoderBlockWeights.InputLayerNormName), Read(DecoderBlockWeights.PostAttentionLayerNormName));
    }

    /// <summary>A block over tensors the caller made (training: trainable parameters); disposing it disposes them.</summary>
    internal static BlockTensors Of(Tensor[] linears, Tensor inputNorm, Tensor postNorm) => new(linears, inputNorm, postNorm);

    /// <summary>Wraps fp32 values and moves/converts them to the target (a no-op view for fp32 on the CPU).</summary>
    internal static Tensor Place(float[] values, ComputeTarget target, params long[] shape)
    {
        var wrapped = TensorMemory.Wrap(values, shape);
        if (target.Device.type == DeviceType.CPU && target.DType == ScalarType.Float32) return wrapped;
        using (wrapped) return wrapped.to(target.DType, target.Device);
    }

    public void Dispose()
    {
        foreach (var t in Linears) t.Dispose();
        InputNorm.Dispose();
        PostAttentionNorm.Dispose();
    }
}
