namespace PrunePipeline.Model.Tests;

/// <summary>The sgemm forward against <see cref="NaiveLlama"/> on random small configs. Tolerance: max |Δlogit| ≤ 1e-4 · max |logit|.</summary>
public class ForwardTests
{
    private const double Tolerance = 1e-4;

    public static TheoryData<string, LlamaConfig, int> Configs() => new()
    {
        { "gqa-untied", TestModels.Config(d: 16, heads: 4, kvHeads: 2, tied: false), 9 },
        { "mha-tied", TestModels.Config(d: 16, heads: 2, kvHeads: 2, tied: true), 7 },
        { "odd-dims", TestModels.Config(d: 18, f: 29, heads: 3, kvHeads: 1, vocab: 31, layers: 3), 11 },
        { "rope-theta-500000", TestModels.Config(d: 24, heads: 2, kvHeads: 1, theta: 500000, layers: 1), 13 },
        { "head-dim-not-d-over-heads", TestModels.Config(d: 20, heads: 4, kvHeads: 2, headDim: 6), 8 },
        { "long-sequence-chunked-attention", TestModels.Config(d: 8, f: 12, heads: 2, kvHeads: 1, vocab: 23, layers: 1), 300 },
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void Logits_MatchNaiveTwin(string name, LlamaConfig config, int tokens)
    {
        var dir = TestModels.WriteRandom(config, seed: name.Length * 31 + tokens);
        using var model = LlamaModel.Open(dir);
        var rng = new Random(tokens);
        var ids = Enumerable.Range(0, tokens).Select(_ => rng.Next(config.VocabSize)).ToArray();
        var fast = new float[tokens * config.VocabSize];
        LlamaForward.Create(model, tokens).Logits(ids, fast);
        var naive = NaiveLlama.FromModel(model).Logits(ids);
        var err = TestModels.RelativeError(fast, naive);
        Assert.True(err < Tolerance, $"{name}: relative logit error {err:E2}");
    }

    [Fact]
    public void SequenceNll_EqualsLogSoftmaxOfNaiveLogits()
    {
        var config = TestModels.Config(vocab: 53);
        using var model = LlamaModel.Open(TestModels.WriteRandom(config, 5));
        int[] ids = [1, 7, 3, 52, 0, 9, 9, 14, 33, 2];
        var perToken = new double[ids.Length - 1];
        var total = LlamaForward.Create(model, 16).SequenceNll(ids, perToken);
        var logits = NaiveLlama.FromModel(model).Logits(ids);
        var expected = 0.0;
        for (var t = 0; t < ids.Length - 1; t++)
        {
            var row = logits.AsSpan(t * 53, 53).ToArray();
            var lse = Math.Log(row.Sum(v => Math.Exp(v)));
            var nll = lse - row[ids[t + 1]];
            Assert.Equal(nll, perToken[t], 1e-4);
            expected += nll;
        }
        Assert.Equal(expected, total, 1e-3);
    }

    [Fact]
    public void LogSumExp_IsStableForLargeLogits()
    {
        float[] x = [1000f, 1000f, -1000f];
        Assert.Equal(1000 + Math.Log(2), LlamaForward.LogSumExp(x, new float[3]), 1e-9);
    }

    [Fact]
    public void LastLogits_EqualLastRowOfLogits()
    {
        var config = TestModels.Config();
        using var model = LlamaModel.Open(TestModels.WriteRandom(config, 6));
        var fwd = LlamaForward.Create(model, 8);
        int[] ids = [3, 1, 4, 1, 5];
        var all = new float[ids.Length * config.VocabSize];
        fwd.Logits(ids, all);
        var last = new float[config.VocabSize];
        fwd.LastLogits(ids, last);
        Assert.True(TestModels.RelativeError(last, all.AsSpan((ids.Length - 1) * config.VocabSize)) < 1e-5);
    }

    [Fact]
    public void TokenOutsideVocabulary_IsAClearError()
    {
        var config = TestModels.Config(vocab: 10);
        using var model = LlamaModel.Open(TestModels.WriteRandom(config, 7));
        var e = Assert.Throws<ArgumentException>(() => LlamaForward.Create(model, 8).SequenceNll([1, 2, 10]));
        Assert.Contains("token id 10 at position 2", e.Message);
    }

    [Fact]
    public void Observer_SeesTheExactInputsOfEachLinearGroup()
    {
        var config = TestModels.Config(layers: 1);
        using var model = LlamaModel.Open(TestModels.WriteRandom(config, 8));
        int[] ids = [2, 5, 7, 1];
        var T = ids.Length;
        var hidden = new float[T * config.HiddenSize];
        model.Embed(ids, hidden);
        var block = model.LoadBlock(0);
        var recorder = new Recorder();
        DecoderBlock.Forward(block, config, hidden, T, new BlockWorkspace(config, 8), recorder);
        Assert.Equal(["attn_in", "o_in", "mlp_in", "down_in"], recorder.Seen.Select(s => s.Name));
        Assert.Equal((T, config.HiddenSize), (recorder.Seen[0].Rows, recorder.Seen[0].Cols));
        Assert.Equal((T, config.QueryDim), (recorder.Seen[1].Rows, recorder.Seen[1].Cols));
        Assert.Equal((T, config.IntermediateSize), (recorder.Seen[3].Rows, recorder.Seen[3].Cols));
        // down_in must be silu(gate·x)·(up·x) of mlp_in: check one element by hand.
        var x = recorder.Seen[2].X;
        double g = 0, u = 0;
        for (var i = 0; i < config.HiddenSize; i++)
        {
            g += block.Gate[5 * config.HiddenSize + i] * x[config.HiddenSize + i];
            u += block.Up[5 * config.HiddenSize + i] * x[config.HiddenSize + i];
        }
        Assert.Equal(g / (1 + Math.Exp(-g)) * u, recorder.Seen[3].X[config.IntermediateSize + 5], 1e-4);
    }

    private sealed class Recorder : ILinearInputObserver
    {
        public List<(string Name, float[] X, int Rows, int Cols)> Seen { get; } = [];

        public void Observe(string inputName, ReadOnlySpan<float> x, int rows, int cols) => Seen.Add((inputName, x.ToArray(), rows, cols));
    }
}
