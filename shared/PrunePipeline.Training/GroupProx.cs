using PrunePipeline.Pruning.Prox;
using PrunePipeline.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunePipeline.Training;

/// <summary>
/// The exact 2:4 group prox of algorithm.md §3 applied in place to a weight tensor on any device.
/// TODO(engine-prune): switch to the torch-ops prox24 when that branch lands; until then the matrix makes a round trip
/// through the CPU and the tested fp32 kernel <see cref="Prox24"/> (O(mn), small next to a training step's GEMMs).
/// </summary>
public static class GroupProx
{
    /// <summary>w ← prox_t(w) group by group (groups of four along the last axis). Returns the groups left with more than two non-zeros.</summary>
    public static long Apply(Tensor w, double t)
    {
        if (w.shape[^1] % 4 != 0) throw new ArgumentException($"the last axis ({w.shape[^1]}) is not a multiple of 4", nameof(w));
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var cpu = w.detach().to(ScalarType.Float32, torch.CPU).contiguous().clone();
        var values = TensorMemory.Floats(cpu);
        var dense = Prox24.Apply(values, values, (float)t);
        w.copy_(cpu.to(w.dtype, w.device));
        return dense;
    }

    /// <summary>Groups of four (along the last axis) with more than two non-zeros.</summary>
    public static long DenseGroups(Tensor w)
    {
        using var scope = torch.NewDisposeScope();
        var nz = w.detach().ne(0).to_type(ScalarType.Int32).reshape(-1, 4).sum(1);
        return nz.gt(2).sum().item<long>();
    }

    /// <summary>Top-2 |score| of every group of four along the last axis as a 0/1 mask (ties: lower index first).</summary>
    public static Tensor TopTwoMask(Tensor score)
    {
        using var scope = torch.NewDisposeScope();
        var cpu = score.detach().abs().to(ScalarType.Float32, torch.CPU).contiguous();
        var rows = (int)(cpu.numel() / cpu.shape[^1]);
        var cols = (int)cpu.shape[^1];
        var mask = new byte[rows * cols];
        Pruning.PruneMasks.KeepTopNPerGroup(TensorMemory.Floats(cpu), mask, rows, cols, 2, 4);
        var m = torch.tensor(mask).reshape(score.shape).to(score.dtype, score.device);
        return m.MoveToOuterDisposeScope();
    }
}
