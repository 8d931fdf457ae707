namespace PrunePipeline.Pruning;

/// <summary>
/// Mask selection from scores (rows×cols row-major; mask 1 = kept). Ties keep the lower column index, so results
/// are deterministic. Scores must not be NaN.
/// </summary>
public static class PruneMasks
{
    /// <summary>N:M: in each row, in every group of M consecutive columns, keep the N highest scores.</summary>
    public static void KeepTopNPerGroup(ReadOnlySpan<float> score, Span<byte> mask, int rows, int cols, int n, int m)
    {
        if (cols % m != 0) throw new ArgumentException($"cols = {cols} is not divisible by M = {m}.");
        CheckLengths(score, mask, rows, cols);
        Span<int> order = stackalloc int[m];
        for (var g = 0; g < rows * cols; g += m)
        {
            for (var i = 0; i < m; i++) order[i] = i;
            // Insertion sort by score descending, stable (lower index first on ties).
            for (var i = 1; i < m; i++)
                for (var j = i; j > 0 && score[g + order[j]] > score[g + order[j - 1]]; j--)
                    (order[j], order[j - 1]) = (order[j - 1], order[j]);
            for (var i = 0; i < m; i++) mask[g + order[i]] = (byte)(i < n ? 1 : 0);
        }
    }

    /// <summary>Unstructured, per row: prune the round(ratio·cols) lowest scores of each row (Wanda's comparison group).</summary>
    public static void PruneLowestPerRow(ReadOnlySpan<float> score, Span<byte> mask, int rows, int cols, double ratio)
    {
        CheckLengths(score, mask, rows, cols);
        var prune = (int)Math.Round(ratio * cols);
        var idx = new int[cols];
        var keys = new float[cols];
        for (var r = 0; r < rows; r++)
        {
            SelectLowest(score.Slice(r * cols, cols), mask.Slice(r * cols, cols), prune, idx, keys);
        }
    }

    /// <summary>Unstructured over the whole matrix: prune the round(ratio·rows·cols) lowest scores.</summary>
    public static void PruneLowestGlobal(ReadOnlySpan<float> score, Span<byte> mask, int rows, int cols, double ratio)
    {
        CheckLengths(score, mask, rows, cols);
        var total = rows * cols;
        SelectLowest(score[..total], mask[..total], (int)Math.Round(ratio * total), new int[total], new float[total]);
    }

    /// <summary>mask[i] = 0 for the <paramref name="prune"/> lowest scores (ties: lower index pruned first), else 1.</summary>
    internal static void SelectLowest(ReadOnlySpan<float> score, Span<byte> mask, int prune, int[] idx, float[] keys)
    {
        var n = score.Length;
        for (var i = 0; i < n; i++) { idx[i] = i; keys[i] = score[i]; }
        // Array.Sort is unstable; sorting (score, index) pairs by a composite order keeps it deterministic.
        Array.Sort(keys, idx, 0, n);
        // Ties among equal keys: order them by index so the lower index is pruned first.
        var s = 0;
        while (s < n)
        {
            var e = s + 1;
            while (e < n && keys[e] == keys[s]) e++;
            if (e - s > 1) Array.Sort(idx, s, e - s);
            s = e;
        }
        mask[..n].Fill(1);
        for (var i = 0; i < prune && i < n; i++) mask[idx[i]] = 0;
    }

    /// <summary>Fraction of N:M groups with at most N non-zero weights.</summary>
    public static double ValidGroupsFraction(ReadOnlySpan<float> w, int rows, int cols, int n, int m)
    {
        long groups = 0, valid = 0;
        for (var g = 0; g < rows * cols; g += m)
        {
            var nz = 0;
            for (var i = 0; i < m; i++) if (w[g + i] != 0) nz++;
            groups++;
            if (nz <= n) valid++;
        }
        return groups == 0 ? 1 : (double)valid / groups;
    }

    private static void CheckLengths(ReadOnlySpan<float> score, Span<byte> mask, int rows, int cols)
    {
        var n = (long)rows * cols;
        if (score.Length != n || mask.Length != n)
            throw new ArgumentException($"score ({score.Length}) and mask ({mask.Length}) must both have rows·cols = {n} entries.");
    }
}
