namespace PrunePipeline.Artifacts;

/// <summary>
/// Builds and validates artifact keys. Keys are derived from what determines the content (architecture.md
/// "Artifacts"), so equal work is stored once and found again:
/// <c>hessians/{calibrationKey}/{block}/{input}.bin</c>, <c>activations/{calibrationKey}/{block}.bin</c>,
/// <c>masks/{run}/{layer}.mask</c> (bit-packed), <c>weights/{run}/{pruned|refined}/{layer}.bin</c>, <c>models/{run}/…</c>.
/// </summary>
public static class ArtifactKeys
{
    /// <summary>Longest key accepted (S3 allows 1024 bytes).</summary>
    public const int MaxLength = 1024;

    /// <summary>Hessian of one linear-layer input of a decoder block, for one calibration.</summary>
    public static string Hessian(string calibrationKey, int block, string input) =>
        Checked($"hessians/{Segment(calibrationKey)}/{Block(block)}/{Segment(input)}.bin");

    /// <summary>Input activations of a decoder block (the previous block's outputs) for one calibration.</summary>
    public static string BlockInputs(string calibrationKey, int block) =>
        Checked($"activations/{Segment(calibrationKey)}/{Block(block)}.bin");

    /// <summary>Bit-packed 2:4 mask of one layer of a run.</summary>
    public static string Mask(Guid run, string layer) => Checked($"masks/{run:D}/{Segment(layer)}.mask");

    /// <summary>Pruned (and possibly refined) weights of one layer of a run; <paramref name="stage"/> tells them apart.</summary>
    public static string Weights(Guid run, string layer, string stage = "pruned") =>
        Checked($"weights/{run:D}/{Segment(stage)}/{Segment(layer)}.bin");

    /// <summary>Prefix of a run's output model directory (HF layout under it).</summary>
    public static string ModelPrefix(Guid run) => $"models/{run:D}";

    /// <summary>Prefix of a run's finetuned model directory (issue 13; beside, not inside, the assembled one).</summary>
    public static string FinetunedModelPrefix(Guid run) => $"finetuned/{run:D}/model";

    /// <summary>Prefix of the finetuning checkpoint taken after <paramref name="step"/> completed steps.</summary>
    public static string FinetuneCheckpoint(Guid run, int step) =>
        step >= 0 ? $"finetuned/{run:D}/checkpoints/{step:D8}" : throw new ArgumentOutOfRangeException(nameof(step), step, "step must be ≥ 0.");

    /// <summary>Throws <see cref="ArgumentException"/> naming the key unless it is a valid key.</summary>
    public static void Validate(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var problem = Problem(key, allowTrailingSlash: false);
        if (problem != null) throw new ArgumentException($"artifact key '{key}' is invalid: {problem}.", nameof(key));
    }

    /// <summary>Like <see cref="Validate"/> for a listing prefix: may be empty or end with '/'.</summary>
    public static void ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0) return;
        var problem = Problem(prefix, allowTrailingSlash: true);
        if (problem != null) throw new ArgumentException($"artifact prefix '{prefix}' is invalid: {problem}.", nameof(prefix));
    }

    static string? Problem(string key, bool allowTrailingSlash)
    {
        if (key.Length == 0) return "it is empty";
        if (key.Length > MaxLength) return $"it is longer than {MaxLength} characters";
        if (key[0] == '/') return "it starts with '/'";
        foreach (var c in key)
            if (!IsAllowed(c)) return $"character '{c}' (U+{(int)c:X4}) is not allowed (use letters, digits and ._-=+@,: with '/' between segments)";
        var segments = key.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            var s = segments[i];
            if (s.Length == 0 && !(allowTrailingSlash && i == segments.Length - 1)) return "it has an empty segment ('//' or a trailing '/')";
            if (s is "." or "..") return $"segment '{s}' is not allowed";
        }
        return null;
    }

    // A conservative set that is safe as S3 keys and as file names on every OS we run on.
    static bool IsAllowed(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '=' or '+' or '@' or ',' or ':' or '/';

    static string Segment(string s)
    {
        ArgumentException.ThrowIfNullOrEmpty(s);
        if (s.Contains('/')) throw new ArgumentException($"key segment '{s}' must not contain '/'.");
        return s;
    }

    static string Block(int block) =>
        block >= 0 ? block.ToString(System.Globalization.CultureInfo.InvariantCulture) : throw new ArgumentOutOfRangeException(nameof(block), block, "block must be ≥ 0.");

    static string Checked(string key)
    {
        Validate(key);
        return key;
    }
}
