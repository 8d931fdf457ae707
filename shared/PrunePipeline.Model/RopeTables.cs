using PrunePipeline.Model.Kernels;
using PrunePipeline.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunePipeline.Model;

/// <summary>
/// HF rotate-half RoPE on the compute device: cos/sin tables (positions × D/2, computed in double exactly as
/// <see cref="RotaryEmbedding"/>) and their application to [..., T, heads, D] tensors.
/// </summary>
public sealed class RopeTables : IDisposable
{
    private readonly Tensor _cos; // P × D/2
    private readonly Tensor _sin; // P × D/2

    public RopeTables(LlamaConfig config, int maxPositions, ComputeTarget target)
    {
        var table = new RotaryEmbedding(config.HeadDim, config.RopeTheta, maxPositions);
        MaxPositions = maxPositions;
        long half = config.HeadDim / 2;
        _cos = BlockTensors.Place(table.CosTable, target, maxPositions, half);
        _sin = BlockTensors.Place(table.SinTable, target, maxPositions, half);
        _cos.DetachFromDisposeScope(); // owned, disposed by Dispose
        _sin.DetachFromDisposeScope();
    }

    public int MaxPositions { get; }

    /// <summary>x: [B, T, heads, D] → rotated copy: (x₁cos − x₂sin, x₂cos + x₁sin) per half.</summary>
    public Tensor Apply(Tensor x)
    {
        var T = x.shape[1];
        if (T > MaxPositions) throw new ArgumentException($"{T} tokens exceed the {MaxPositions} positions of the rotary table");
        using var scope = torch.NewDisposeScope();
        var half = x.shape[3] / 2;
        var cos = _cos.narrow(0, 0, T).unsqueeze(1); // T × 1 × D/2, broadcast over heads
        var sin = _sin.narrow(0, 0, T).unsqueeze(1);
        var x1 = x.narrow(3, 0, half);
        var x2 = x.narrow(3, half, half);
        var rotated = torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], 3);
        return rotated.MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        _cos.Dispose();
        _sin.Dispose();
    }
}
