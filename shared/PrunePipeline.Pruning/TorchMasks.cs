using static TorchSharp.torch;

namespace PrunePipeline.Pruning;

/// <summary>
/// Mask selection from score tensors (rows×cols, any device; mask uint8, 1 = kept) with the tie rules of
/// <see cref="PruneMasks"/>: stable sorts, so equal scores keep (N:M) or prune (unstructured) the lower index first.
/// </summary>
internal static class TorchMasks
{
    /// <summary>Scores are ranked for this many weights at a time by <see cref="ByRowChunks"/> (16 MB of fp32).</summary>
    public const long ChunkElements = 1 << 22;

    /// <summary>
    /// A rows×cols mask assembled from <paramref name="maskOfRows"/>(r0, r) over chunks of about
    /// <paramref name="chunkElements"/> weights, for rankings that are row by row: a whole-matrix ranking's temporaries
    /// (scores, sort values and int64 indices) are about 5× the matrix in fp32, 0.9 GB for a 7B MLP weight.
    /// </summary>
    public static Tensor ByRowChunks(long rows, long cols, Device device, long chunkElements, Func<long, long, Tensor> maskOfRows)
    {
        var mask = empty(rows, cols, ScalarType.Byte, device);
        var chunk = Math.Clamp(chunkElements / Math.Max(1, cols), 1, Math.Max(1, rows));
        for (long r0 = 0; r0 < rows; r0 += chunk)
        {
            using var scope = NewDisposeScope();
            var r = Math.Min(chunk, rows - r0);
            mask.narrow(0, r0, r).copy_(maskOfRows(r0, r));
        }
        return mask;
    }

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
