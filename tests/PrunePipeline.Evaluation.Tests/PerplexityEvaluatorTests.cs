using PrunePipeline.Evaluation.Datasets;
using PrunePipeline.Model;
using PrunePipeline.Model.Llama2c;
using PrunePipeline.Tokenizers;

namespace PrunePipeline.Evaluation.Tests;

public class PerplexityEvaluatorTests
{
    // One folder per test process, removed when the process exits, so repeated runs do not fill /tmp.
    private static readonly string TempRoot = CreateTempRoot();

    private static string CreateTempRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), "pp-eval-tests", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(root, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        return root;
    }

    private static readonly LlamaConfig Small = new()
    {
        HiddenSize = 16, IntermediateSize = 24, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2, HeadDim = 4,
        VocabSize = 29, MaxPositionEmbeddings = 64,
    };

    private static string WriteModel(LlamaConfig config, Func<string, long[], float[]> produce)
    {
        var dir = Path.Combine(TempRoot, Guid.NewGuid().ToString("N"));
        LlamaModelWriter.Write(dir, config, produce);
        return dir;
    }

    private static float[] Random(Random rng, long[] shape)
    {
        var v = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (var i = 0; i < v.Length; i++) v[i] = shape.Length == 1 ? 1f : (float)(rng.NextDouble() - 0.5);
        return v;
    }

    private static EvalSequences Data(LossAggregation aggregation, params int[][] seqs) =>
        new("test", "hand-made", 16, seqs, aggregation, seqs.Sum(s => (long)s.Length));

    [Fact]
    public void ZeroHead_GivesPerplexityEqualToVocabSize()
    {
        // With an all-zero LM head every logit is 0, so each prediction has NLL ln V and PPL = V exactly.
        var rng = new Random(1);
        var dir = WriteModel(Small, (name, shape) => name == LlamaTensorNames.LmHead ? new float[shape[0] * shape[1]] : Random(rng, shape));
        using var model = LlamaModel.Open(dir);
        var r = PerplexityEvaluator.Evaluate(model, Data(LossAggregation.MeanOfWindowLosses, [1, 2, 3, 4], [5, 6, 7]), null, default);
        Assert.Equal(29, r.Ppl, 29e-6); // float SIMD exp: ~1 ulp per term
        Assert.Equal((5L, 2), (r.Tokens, r.Windows));
    }

    [Fact]
    public void Aggregations_FollowTheirFormulas()
    {
        var rng = new Random(2);
        using var model = LlamaModel.Open(WriteModel(Small, (_, shape) => Random(rng, shape)));
        int[] a = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], b = [3, 3];
        var fwd = LlamaForward.Create(model, 16);
        double na = fwd.SequenceNll(a), nb = fwd.SequenceNll(b);
        var windows = PerplexityEvaluator.Evaluate(model, Data(LossAggregation.MeanOfWindowLosses, a, b), null, default);
        var tokens = PerplexityEvaluator.Evaluate(model, Data(LossAggregation.TokenWeighted, a, b), null, default);
        Assert.Equal(Math.Exp((na / 9 + nb / 1) / 2), windows.Ppl, 1e-9);
        Assert.Equal(Math.Exp((na + nb) / 10), tokens.Ppl, 1e-9);
        Assert.NotEqual(windows.Ppl, tokens.Ppl, 1e-3);
    }

    [Fact]
    public void ParallelWorkers_GiveTheSameResultAsSequential()
    {
        var rng = new Random(3);
        using var model = LlamaModel.Open(WriteModel(Small, (_, shape) => Random(rng, shape)));
        var seqs = Enumerable.Range(0, 9).Select(i => Enumerable.Range(0, 5 + i).Select(j => (i * 7 + j * 3) % 29).ToArray()).ToArray();
        var data = Data(LossAggregation.TokenWeighted, seqs);
        var fwd = LlamaForward.Create(model, 16);
        var reports = new List<int>();
        var one = PerplexityEvaluator.Evaluate(fwd, data, null, default, workers: 1);
        var three = PerplexityEvaluator.Evaluate(fwd, data, new SyncProgress(p => reports.Add(p.done)), default, workers: 3);
        Assert.Equal(one.Ppl, three.Ppl);
        Assert.Equal(Enumerable.Range(1, 9), reports);
    }

    [Fact]
    public void BlockByBlock_OverBatchedWindows_EqualsOneWindowAtATime()
    {
        // Equal-length windows are batched through each block; the result must equal the resident forward's
        // per-window NLLs (an independent path: every block resident, one window per forward).
        var rng = new Random(5);
        using var model = LlamaModel.Open(WriteModel(Small, (_, shape) => Random(rng, shape)));
        var seqs = Enumerable.Range(0, 11).Select(i => Enumerable.Range(0, i < 7 ? 12 : 5).Select(_ => rng.Next(29)).ToArray())
            .Append([4]).ToArray();
        var blockwise = PerplexityEvaluator.Evaluate(model, Data(LossAggregation.MeanOfWindowLosses, seqs), null, default);
        var fwd = LlamaForward.Create(model, 16);
        var expected = Math.Exp(seqs.Where(s => s.Length >= 2).Average(s => fwd.SequenceNll(s) / (s.Length - 1)));
        Assert.Equal(expected, blockwise.Ppl, expected * 1e-6);
        Assert.Equal(11, blockwise.Windows);
    }

    [Fact]
    public void Bf16Checkpoint_StaysHalfSize_AndEvaluatesLikeItsFp32Twin()
    {
        // The same (bf16-representable) weights stored as BF16 and as F32: the BF16 model's tensors are read in their
        // stored dtype (2 bytes each) and its perplexity equals the F32 twin's.
        var rng = new Random(6);
        var values = new Dictionary<string, float[]>();
        float[] Produce(string name, long[] shape) => values.TryGetValue(name, out var v) ? v : values[name] = Random(rng, shape)
            .Select(x => BitConverter.UInt32BitsToSingle((uint)Model.Safetensors.HalfConversion.SingleToBF16(x) << 16)).ToArray();
        var f32 = Path.Combine(TempRoot, Guid.NewGuid().ToString("N"));
        LlamaModelWriter.Write(f32, Small, Produce);
        var bf16 = Path.Combine(TempRoot, Guid.NewGuid().ToString("N"));
        LlamaModelWriter.Write(bf16, Small, Produce, Model.Safetensors.SafetensorsDType.BF16);
        using var a = LlamaModel.Open(f32);
        using var b = LlamaModel.Open(bf16);
        using (var stored = b.ReadStoredTensor(LlamaTensorNames.Embedding))
        {
            Assert.Equal(TorchSharp.torch.ScalarType.BFloat16, stored.dtype);
            Assert.Equal(stored.numel() * 2, stored.bytes.Length);
        }
        var data = Data(LossAggregation.TokenWeighted, [1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12], [3, 1, 4]);
        var pa = PerplexityEvaluator.Evaluate(a, data, null, default);
        var pb = PerplexityEvaluator.Evaluate(b, data, null, default);
        Assert.Equal(pa.Ppl, pb.Ppl, pa.Ppl * 1e-6);
    }

    [Fact]
    public void Cancellation_Stops()
    {
        var rng = new Random(4);
        using var model = LlamaModel.Open(WriteModel(Small, (_, shape) => Random(rng, shape)));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            PerplexityEvaluator.Evaluate(model, Data(LossAggregation.TokenWeighted, [1, 2, 3]), null, cts.Token));
    }

    [Fact]
    public void Stories260K_OnItsOwnDomain_HasLowPerplexity()
    {
        // Real-data check on a slice (the full §9 evaluation takes minutes): the model must be far better than chance
        // (PPL 512) on TinyStories and clearly worse on WikiText-2, which it never saw.
        var root = RepoRoot();
        var dir = Path.Combine(TempRoot, Guid.NewGuid().ToString("N"));
        Llama2cConverter.Convert(Path.Combine(root, "..", "shared", "models", "stories260K", "stories260K.bin"), dir);
        TokenizerFiles.WriteToDirectory(Path.Combine(root, "..", "shared", "models", "stories260K", "tok512.bin"), dir);
        using var model = LlamaModel.Open(dir);
        var tok = TokenizerFiles.Load(dir);
        var stories = EvalDatasets.Load("tinystories", Path.Combine(root, "..", "shared", "data", "tinystories", "tinystories_val_first1000.eot.txt"), tok, 256);
        var slice = stories with { Sequences = stories.Sequences.Take(40).ToList() };
        var r = PerplexityEvaluator.Evaluate(model, slice, null, default);
        Assert.InRange(r.Ppl, 2.0, 8.0);
        var wiki = EvalDatasets.Load("wikitext2", Path.Combine(root, "..", "shared", "data", "wikitext-2", "wiki.test.raw"), tok, 256);
        var w = PerplexityEvaluator.Evaluate(model, wiki with { Sequences = wiki.Sequences.Take(20).ToList() }, null, default);
        Assert.InRange(w.Ppl, 30.0, 512.0);
    }

    private static string RepoRoot() => RepoPaths.Root();

    private sealed class SyncProgress(Action<(int done, int total)> report) : IProgress<(int done, int total)>
    {
        public void Report((int done, int total) value) => report(value);
    }
}
