using PrunePipeline.Model;
using PrunePipeline.Tokenizers;

namespace PrunePipeline.Training.Tests;

/// <summary>Small random models (with the stories260K tokenizer) in temporary directories, and shared data paths.</summary>
internal static class TestData
{
    public static LlamaConfig SmallConfig(int layers = 2) => new()
    {
        HiddenSize = 32, IntermediateSize = 64, NumHiddenLayers = layers, NumAttentionHeads = 4, NumKeyValueHeads = 2,
        VocabSize = 512, HeadDim = 8, MaxPositionEmbeddings = 128,
    };

    public static IReadOnlyList<DecoderBlockWeights> RandomBlocks(LlamaConfig config, Random rng) =>
        [.. Enumerable.Range(0, config.NumHiddenLayers).Select(k => new DecoderBlockWeights(config, k, (name, n) =>
            name.Contains("layernorm", StringComparison.Ordinal) ? Norm(rng, n) : RandomArray(rng, n, 1.5 / Math.Sqrt(config.HiddenSize))))];

    /// <summary>A random LLaMA model directory with the stories260K tokenizer (vocab 512).</summary>
    public static string SyntheticModel(int seed, int layers = 2)
    {
        var dir = TempDir("synthetic");
        var rng = new Random(seed);
        LlamaModelWriter.Write(dir, SmallConfig(layers), (name, shape) =>
        {
            var n = shape.Aggregate(1L, (a, b) => a * b);
            return shape.Length == 1 ? Norm(rng, n)
                : RandomArray(rng, n, name.Contains("embed", StringComparison.Ordinal) ? 1.0 : 1.5 / Math.Sqrt(shape[1]));
        });
        TokenizerFiles.WriteToDirectory(SharedPath("models", "stories260K", "tok512.bin"), dir);
        return dir;
    }

    public static string TinyStories => SharedPath("data", "tinystories", "tinystories_val_first1000.eot.txt");

    public static float[] RandomArray(Random rng, long n, double scale = 1)
    {
        var v = new float[n];
        for (var i = 0; i < n; i++) v[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()) * scale);
        return v;
    }

    private static float[] Norm(Random rng, long n)
    {
        var v = new float[n];
        for (var i = 0; i < n; i++) v[i] = 1f + 0.2f * (float)(rng.NextDouble() - 0.5);
        return v;
    }

    public static string TempDir(string what)
    {
        var dir = Path.Combine(Path.GetTempPath(), "pp-training-tests", what + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static string SharedPath(params string[] parts) => RepoPaths.Shared(parts);
}
