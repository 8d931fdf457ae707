using System.Globalization;

namespace PrunePipeline.Pruning;

/// <summary>
/// Which weights may stay: N:M (keep at most <see cref="N"/> of every <see cref="M"/> consecutive inputs of a row;
/// 2:4 by default) or unstructured (prune a fraction <see cref="UnstructuredRatio"/> of the weights).
/// </summary>
public sealed record SparsityPattern
{
    private SparsityPattern(int n, int m, double? ratio) { N = n; M = m; UnstructuredRatio = ratio; }

    /// <summary>Kept entries per group (N:M only).</summary>
    public int N { get; }

    /// <summary>Group length along the input dimension (N:M only).</summary>
    public int M { get; }

    /// <summary>Fraction of weights set to zero (unstructured only), in [0, 1).</summary>
    public double? UnstructuredRatio { get; }

    public bool IsUnstructured => UnstructuredRatio is not null;

    public bool IsTwoFour => !IsUnstructured && N == 2 && M == 4;

    public static SparsityPattern TwoFour { get; } = new(2, 4, null);

    public static SparsityPattern NOfM(int n, int m)
    {
        if (m < 2 || n < 1 || n >= m) throw new ArgumentException($"N:M sparsity needs 1 ≤ N < M, got {n}:{m}.");
        return new SparsityPattern(n, m, null);
    }

    public static SparsityPattern Unstructured(double ratio)
    {
        if (!(ratio >= 0 && ratio < 1)) throw new ArgumentException($"unstructured sparsity ratio must be in [0, 1), got {ratio}.");
        return new SparsityPattern(0, 0, ratio);
    }

    /// <summary>Parses "2:4", "N:M" or "unstructured:0.5".</summary>
    public static SparsityPattern Parse(string text)
    {
        var t = text.Trim();
        if (t.StartsWith("unstructured:", StringComparison.OrdinalIgnoreCase))
        {
            var r = t["unstructured:".Length..];
            return double.TryParse(r, NumberStyles.Float, CultureInfo.InvariantCulture, out var ratio)
                ? Unstructured(ratio)
                : throw new ArgumentException($"sparsity pattern '{text}': '{r}' is not a number.");
        }
        var parts = t.Split(':');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) &&
            int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var m))
            return NOfM(n, m);
        throw new ArgumentException($"sparsity pattern '{text}' is not N:M (e.g. 2:4) or unstructured:RATIO (e.g. unstructured:0.5).");
    }

    public override string ToString() => IsUnstructured
        ? string.Create(CultureInfo.InvariantCulture, $"unstructured:{UnstructuredRatio}")
        : $"{N}:{M}";
}
