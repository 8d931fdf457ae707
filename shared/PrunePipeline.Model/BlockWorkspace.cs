using PrunePipeline.Tensors;

namespace PrunePipeline.Model;

/// <summary>
/// What <see cref="DecoderBlock.Forward(DecoderBlockWeights, LlamaConfig, Span{float}, int, BlockWorkspace, ILinearInputObserver?)"/>
/// keeps between calls for one config: the compute target, the RoPE tables for up to <see cref="MaxTokens"/>
/// positions, and (off the fp32 CPU path) the last block's converted weights, so a block is uploaded once per
/// calibration pass rather than once per sample. Not thread-safe: one workspace per concurrent forward.
/// </summary>
public sealed class BlockWorkspace : IDisposable
{
    private DecoderBlockWeights? _cachedFor;
    private float[][]? _cachedArrays;
    private BlockTensors? _cached;

    public BlockWorkspace(LlamaConfig config, int maxTokens, ComputeTarget? target = null)
    {
        if (maxTokens <= 0) throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, "must be positive");
        Config = config;
        MaxTokens = maxTokens;
        Target = target ?? ComputeTarget.Default;
        Rope = new RopeTables(config, maxTokens, Target);
    }

    public LlamaConfig Config { get; }
    public int MaxTokens { get; }
    public ComputeTarget Target { get; }
    internal RopeTables Rope { get; }

    internal bool IsCpuFloat32 =>
        Target.Device.type == TorchSharp.DeviceType.CPU && Target.DType == TorchSharp.torch.ScalarType.Float32;

    /// <summary>Views (fp32 CPU) are rebuilt each call and always see in-place edits; converted copies are cached.</summary>
    internal bool CachesWeights => !IsCpuFloat32;

    internal BlockTensors Weights(DecoderBlockWeights w)
    {
        if (!CachesWeights) return BlockTensors.From(w, Target);
        var arrays = w.Tensors().Select(t => t.Values).ToArray();
        if (_cached is not null && ReferenceEquals(_cachedFor, w) && _cachedArrays!.SequenceEqual(arrays, ReferenceEqualityComparer.Instance))
            return _cached;
        _cached?.Dispose();
        _cached = BlockTensors.From(w, Target);
        _cachedFor = w;
        _cachedArrays = arrays;
        return _cached;
    }

    public void Dispose()
    {
        _cached?.Dispose();
        Rope.Dispose();
    }
}
