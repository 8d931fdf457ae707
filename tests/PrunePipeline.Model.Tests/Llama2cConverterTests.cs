using PrunePipeline.Model.Llama2c;
using PrunePipeline.Tokenizers;

namespace PrunePipeline.Model.Tests;

public class Llama2cConverterTests
{
    private static string Stories260K => TestModels.SharedPath("models", "stories260K", "stories260K.bin");
    private static string Tok512 => TestModels.SharedPath("models", "stories260K", "tok512.bin");

    /// <summary>A random llama2.c v0 checkpoint (untied when <paramref name="untied"/>).</summary>
    private static string WriteLlama2c(int dim, int hidden, int layers, int heads, int kvHeads, int vocab, int seqLen, bool untied, int seed)
    {
        var path = Path.Combine(TestModels.TempDir(), "model.bin");
        var rng = new Random(seed);
        var hs = dim / heads;
        using var w = new BinaryWriter(File.Create(path));
        foreach (var v in new[] { dim, hidden, layers, heads, kvHeads, untied ? -vocab : vocab, seqLen }) w.Write(v);
        void Rand(long n, double scale, double offset = 0)
        {
            for (long i = 0; i < n; i++) w.Write((float)(offset + TestModels.Gaussian(rng) * scale));
        }
        long kv = (long)kvHeads * hs;
        Rand((long)vocab * dim, 1);
        Rand((long)layers * dim, 0.1, 1);
        Rand((long)layers * dim * dim, 1.5 / Math.Sqrt(dim));
        Rand(layers * kv * dim, 1.5 / Math.Sqrt(dim));
        Rand(layers * kv * dim, 1.5 / Math.Sqrt(dim));
        Rand((long)layers * dim * dim, 1.5 / Math.Sqrt(dim));
        Rand((long)layers * dim, 0.1, 1);
        Rand((long)layers * hidden * dim, 1.5 / Math.Sqrt(dim));
        Rand((long)layers * dim * hidden, 1.5 / Math.Sqrt(hidden));
        Rand((long)layers * hidden * dim, 1.5 / Math.Sqrt(dim));
        Rand(dim, 0.1, 1);
        Rand(2L * seqLen * hs / 2, 1); // freq_cis tables: skipped by loaders
        if (untied) Rand((long)vocab * dim, 1.0 / Math.Sqrt(dim));
        return path;
    }

    /// <summary>llama2.c semantics: raw weights, adjacent-pair RoPE, w1 = gate, w3 = up, w2 = down.</summary>
    private static NaiveLlama NaiveLlama2c(Llama2cCheckpoint c) => new()
    {
        Config = c.ToConfig(),
        AdjacentPairRope = true,
        Embedding = c.ReadRaw("tok_embeddings"),
        FinalNorm = c.ReadRaw("rms_final"),
        Head = c.ReadRaw(c.Shared ? "tok_embeddings" : "wcls"),
        Layers = Enumerable.Range(0, c.Layers).Select(l => new NaiveLlama.Layer
        {
            AttnNorm = c.ReadRaw("rms_att", l), Wq = c.ReadRaw("wq", l), Wk = c.ReadRaw("wk", l), Wv = c.ReadRaw("wv", l),
            Wo = c.ReadRaw("wo", l), FfnNorm = c.ReadRaw("rms_ffn", l), Gate = c.ReadRaw("w1", l), Up = c.ReadRaw("w3", l),
            Down = c.ReadRaw("w2", l),
        }).ToArray(),
    };

    private static void AssertConvertedMatchesLlama2c(string checkpoint, int[] ids)
    {
        var dir = TestModels.TempDir();
        Llama2cConverter.Convert(checkpoint, dir);
        using var model = LlamaModel.Open(dir);
        var fast = new float[ids.Length * model.Config.VocabSize];
        LlamaForward.Create(model, ids.Length).Logits(ids, fast);
        var reference = NaiveLlama2c(Llama2cCheckpoint.Open(checkpoint)).Logits(ids);
        var err = TestModels.RelativeError(fast, reference);
        Assert.True(err < 1e-4, $"relative logit error {err:E2}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Converted_GivesLlama2cOutputs_OnRandomGqaCheckpoint(bool untied)
    {
        var path = WriteLlama2c(dim: 24, hidden: 40, layers: 2, heads: 4, kvHeads: 2, vocab: 50, seqLen: 32, untied, seed: untied ? 1 : 2);
        var rng = new Random(3);
        AssertConvertedMatchesLlama2c(path, Enumerable.Range(0, 20).Select(_ => rng.Next(50)).ToArray());
    }

    [Fact]
    public void Converted_GivesLlama2cOutputs_OnStories260K()
    {
        var tokens = TokenizerFiles.Load(Tok512).Encode("Once upon a time, there was a little dog.", addBos: true);
        AssertConvertedMatchesLlama2c(Stories260K, tokens);
    }

    [Fact]
    public void Stories260K_Config_IsTheDocumentedShape()
    {
        var c = Llama2cCheckpoint.Open(Stories260K).ToConfig();
        Assert.Equal((64, 172, 5, 8, 4, 512, 512, true), (c.HiddenSize, c.IntermediateSize, c.NumHiddenLayers, c.NumAttentionHeads,
            c.NumKeyValueHeads, c.VocabSize, c.MaxPositionEmbeddings, c.TieWordEmbeddings));
        Assert.Equal(260_032, c.ParameterCount);
    }

    [Fact]
    public void Stories260K_GreedyGeneration_ContinuesTheKnownStory()
    {
        var dir = TestModels.TempDir();
        Llama2cConverter.Convert(Stories260K, dir);
        TokenizerFiles.WriteToDirectory(Tok512, dir);
        using var model = LlamaModel.Open(dir);
        var tokenizer = TokenizerFiles.Load(dir);
        var prompt = tokenizer.Encode("Once upon a time", addBos: true);
        var generated = GreedyGenerator.Generate(LlamaForward.Create(model, 256), prompt, 30, model.Config.EosTokenId);
        var text = tokenizer.Decode(generated);
        Assert.StartsWith(", there was a little girl named Lily. She loved to play outside in the park.", text);
    }

    [Fact]
    public void PermuteRotaryRows_InterleavesEvenThenOddRowsPerHead()
    {
        // 2 heads of size 4, 1 column: rows 0..7 → head 0 [0,2,1,3], head 1 [4,6,5,7].
        float[] w = [0, 1, 2, 3, 4, 5, 6, 7];
        Assert.Equal([0f, 2, 1, 3, 4, 6, 5, 7], Llama2cConverter.PermuteRotaryRows(w, 2, 4, 1));
    }

    [Fact]
    public void TruncatedCheckpoint_IsNamedWithSizes()
    {
        var path = Path.Combine(TestModels.TempDir(), "trunc.bin");
        File.WriteAllBytes(path, File.ReadAllBytes(Stories260K)[..100_000]);
        var e = Assert.Throws<InvalidDataException>(() => Llama2cConverter.Convert(path, TestModels.TempDir()));
        Assert.Contains("truncated", e.Message);
        Assert.Contains("1056540", e.Message);
        Assert.Contains("100000", e.Message);
    }

    [Fact]
    public void WrongHeader_IsNamed()
    {
        var path = Path.Combine(TestModels.TempDir(), "bad.bin");
        var bytes = File.ReadAllBytes(Stories260K);
        BitConverter.GetBytes(-3).CopyTo(bytes, 8); // n_layers
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => Llama2cCheckpoint.Open(path));
        Assert.Contains("n_layers = -3", e.Message);

        BitConverter.GetBytes(5).CopyTo(bytes, 8);
        BitConverter.GetBytes(7).CopyTo(bytes, 12); // n_heads 7 does not divide dim 64
        File.WriteAllBytes(path, bytes);
        Assert.Contains("inconsistent", Assert.Throws<InvalidDataException>(() => Llama2cCheckpoint.Open(path)).Message);
    }

    [Fact]
    public void TinyFile_IsTruncated()
    {
        var path = Path.Combine(TestModels.TempDir(), "tiny.bin");
        File.WriteAllBytes(path, [1, 2, 3, 4]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => Llama2cCheckpoint.Open(path)).Message);
    }
}
