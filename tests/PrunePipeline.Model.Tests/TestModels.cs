namespace PrunePipeline.Model.Tests;

/// <summary>Random small models written to temporary directories, and paths to the shipped data.</summary>
internal static class TestModels
{
    public static LlamaConfig Config(int d = 16, int f = 24, int layers = 2, int heads = 4, int kvHeads = 2, int vocab = 37,
        bool tied = false, double theta = 10000, int? headDim = null) => new()
    {
        HiddenSize = d, IntermediateSize = f, NumHiddenLayers = layers, NumAttentionHeads = heads, NumKeyValueHeads = kvHeads,
        VocabSize = vocab, TieWordEmbeddings = tied, RopeTheta = theta, HeadDim = headDim ?? d / heads, MaxPositionEmbeddings = 512,
    };

    /// <summary>Writes a random model (weights ~ N(0, 1/fan_in), norms near 1) and returns its directory.</summary>
    public static string WriteRandom(LlamaConfig config, int seed, string? dtype = null)
    {
        var dir = TempDir();
        var rng = new Random(seed);
        LlamaModelWriter.Write(dir, config, (name, shape) =>
        {
            var n = (int)shape.Aggregate(1L, (a, b) => a * b);
            var v = new float[n];
            if (shape.Length == 1)
                for (var i = 0; i < n; i++) v[i] = 1f + 0.2f * (float)(rng.NextDouble() - 0.5);
            else
            {
                var scale = name.Contains("embed") ? 1.0 : 1.5 / Math.Sqrt(shape[1]);
                for (var i = 0; i < n; i++) v[i] = (float)(Gaussian(rng) * scale);
            }
            return v;
        }, dtype ?? Safetensors.SafetensorsDType.F32);
        return dir;
    }

    public static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    // One folder per test process, removed when the process exits, so repeated runs do not fill /tmp.
    private static readonly string TempRoot = CreateTempRoot();

    private static string CreateTempRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), "pp-model-tests", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(root, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        return root;
    }

    public static string TempDir()
    {
        var dir = Path.Combine(TempRoot, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static string SharedPath(params string[] parts) => RepoPaths.Shared(parts);

    /// <summary>max |a − b| / max |b|.</summary>
    public static double RelativeError(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double maxDiff = 0, maxRef = 0;
        for (var i = 0; i < a.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(a[i] - b[i]));
            maxRef = Math.Max(maxRef, Math.Abs(b[i]));
        }
        return maxDiff / maxRef;
    }
}
