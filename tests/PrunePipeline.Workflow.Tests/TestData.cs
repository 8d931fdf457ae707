using PrunePipeline.Model;
using PrunePipeline.Model.Llama2c;
using PrunePipeline.Tokenizers;

namespace PrunePipeline.Workflow.Tests;

/// <summary>Small models in temporary directories, and paths to the shipped data in ../shared.</summary>
internal static class TestData
{
    private static readonly Lazy<string> Stories = new(() =>
    {
        var dir = TempDir("stories260K");
        Llama2cConverter.Convert(SharedPath("models", "stories260K", "stories260K.bin"), dir);
        TokenizerFiles.WriteToDirectory(SharedPath("models", "stories260K", "tok512.bin"), dir);
        return dir;
    });

    /// <summary>The real stories260K model converted to an HF directory (once per test run).</summary>
    public static string Stories260K => Stories.Value;

    public static string C4Calibration => SharedPath("data", "c4", "c4_validation_2k.jsonl");

    public static LlamaConfig SmallConfig(int layers = 2) => new()
    {
        HiddenSize = 32, IntermediateSize = 64, NumHiddenLayers = layers, NumAttentionHeads = 4, NumKeyValueHeads = 2,
        VocabSize = 512, HeadDim = 8, MaxPositionEmbeddings = 128,
    };

    /// <summary>A random LLaMA model with the stories260K tokenizer (vocab 512).</summary>
    public static string SyntheticModel(int seed, int layers = 2)
    {
        var dir = TempDir("synthetic");
        var rng = new Random(seed);
        LlamaModelWriter.Write(dir, SmallConfig(layers), (name, shape) =>
        {
            var n = (int)shape.Aggregate(1L, (a, b) => a * b);
            var v = new float[n];
            if (shape.Length == 1)
                for (var i = 0; i < n; i++) v[i] = 1f + 0.2f * (float)(rng.NextDouble() - 0.5);
            else
            {
                var scale = name.Contains("embed", StringComparison.Ordinal) ? 1.0 : 1.5 / Math.Sqrt(shape[1]);
                for (var i = 0; i < n; i++) v[i] = (float)(Gaussian(rng) * scale);
            }
            return v;
        });
        TokenizerFiles.WriteToDirectory(SharedPath("models", "stories260K", "tok512.bin"), dir);
        return dir;
    }

    public static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    public static float[] RandomArray(Random rng, long n, double scale = 1)
    {
        var v = new float[n];
        for (var i = 0; i < n; i++) v[i] = (float)(Gaussian(rng) * scale);
        return v;
    }

    /// <summary>A small layer W₀ (uniform in [−1, 1]) and the Hessian XᵀX/s of <paramref name="samples"/> inputs whose
    /// column scales differ (1 … <paramref name="spread"/>), so that the prox has groups to decide.</summary>
    public static (float[] W0, float[] H) CorrelatedLayer(int rows, int cols, int samples, int seed, int spread)
    {
        var rng = new Random(seed);
        var x = new float[samples * cols];
        for (var i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1) * (1 + i % cols % spread);
        var h = new float[cols * cols];
        for (var s = 0; s < samples; s++)
            for (var i = 0; i < cols; i++)
                for (var j = 0; j < cols; j++) h[i * cols + j] += x[s * cols + i] * x[s * cols + j] / samples;
        var w0 = new float[rows * cols];
        for (var i = 0; i < w0.Length; i++) w0[i] = (float)(rng.NextDouble() * 2 - 1);
        return (w0, h);
    }

    public static string TempDir(string what)
    {
        var dir = Path.Combine(Path.GetTempPath(), "pp-workflow-tests", what + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static string SharedPath(params string[] parts) => RepoPaths.Shared(parts);
}
