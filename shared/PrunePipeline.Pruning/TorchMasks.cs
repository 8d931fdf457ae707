using static TorchSharp.torch;

namespace PrunePipeline.Pruning;

/// <summary>
/// Mask selection from score tensors (rows×cols, any device; mask uint8, 1 = kept) with the tie rules of
/// <see cref="PruneMasks"/>: stable sorts, so equal scores keep (N:M) or prune (unstructured) the lower index first.
/// </summary>
internal static class TorchMasks
{
    /// <summary>N:M: in every group of M consecutive columns keep the N highest scores.</summary>
    public static Tensor KeepTopNPerGroup(Tensor score, int n, int m)
    {
        using var scope = NewDisposeScope();
        var groups = score.reshape(-1, m);
        var (_, order) = groups.sort(1, descending: true, stable: true);
        var mask = zeros(groups.shape, ScalarType.Byte, score.device)
            .scatter_(1, order.narrow(1, 0, n), ones(groups.shape[0], n, ScalarType.Byte, score.device));
        return mask.reshape(score.shape).MoveToOuterDisposeScope();
    }

    /// <summary>Unstructured per row: prune the round(ratio·cols) lowest scores of each row.</summary>
    public static Tensor PruneLowestPerRow(Tensor score, double ratio)
    {
        using var scope = NewDisposeScope();
        var prune = (long)Math.Round(ratio * score.shape[1]);
        return PruneLowest(score, prune).MoveToOuterDisposeScope();
    }

    /// <summary>Unstructured over the whole matrix: prune the round(ratio·rows·cols) lowest scores.</summary>
    public static Tensor PruneLowestGlobal(Tensor score, double ratio)
    {
        using var scope = NewDisposeScope();
        var flat = score.reshape(1, -1);
        var prune = (long)Math.Round(ratio * flat.shape[1]);
        return PruneLowest(flat, prune).reshape(score.shape).MoveToOuterDisposeScope();
    }

    /// <summary>Per row of <paramref name="score"/>: 0 for the <paramref name="prune"/> lowest (ties: lower index first).</summary>
    private static Tensor PruneLowest(Tensor score, long prune)
    {
        var mask = ones(score.shape, ScalarType.Byte, score.device);
        prune = Math.Min(prune, score.shape[1]);
        if (prune <= 0) return mask;
        var (_, order) = score.sort(1, descending: false, stable: true);
        return mask.scatter_(1, order.narrow(1, 0, prune), zeros(score.shape[0], prune, ScalarType.Byte, score.device));
    }
}
