using PrunePipeline.Model;
using PrunePipeline.Tensors;
using PrunePipeline.Workflow;
using PrunePipeline.Tests;
using PrunePipeline.Workflow.Output;
using PrunePipeline.Workflow.Reports;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PrunePipeline.Training.Tests;

/// <summary>ProxSparse and masked finetuning end to end on a small random model: the properties the issue asks for.</summary>
public class ProxAndMaskTests
{
    private static TrainingRequest Request(string model, string outDir, string? dense = null) =>
        new(model, dense, outDir, new TrainingData(TestData.TinyStories, new StoryRange(500, 599), null, SeqLen: 32, BatchSize: 2, Seed: 1),
            [new EvalDatasetSpec("tinystories", TestData.TinyStories)], new StoryRange(0, 9), EvalSeqLen: 64);

    private static (float[][] Weights, byte[][] Masks) Linears(string dir)
    {
        using var model = LlamaModel.Open(dir);
        var packed = MaskFileReader.ReadAll(Path.Combine(dir, PrunedModelWriter.MaskFileName));
        var weights = new List<float[]>();
        var masks = new List<byte[]>();
        for (var k = 0; k < model.Config.NumHiddenLayers; k++)
            foreach (var name in DecoderBlockWeights.LinearNames)
            {
                var (rows, cols) = DecoderBlockWeights.LinearShape(model.Config, name);
                weights.Add(model.ReadTensor(LlamaTensorNames.Layer(k, name)));
                var m = new byte[rows * cols];
                MaskPacking.Unpack(packed[LlamaTensorNames.Layer(k, name)].Packed, m, rows, cols);
                masks.Add(m);
            }
        return ([.. weights], [.. masks]);
    }

    private static void AssertExactly24(float[] w, byte[] mask)
    {
        for (var g = 0; g < w.Length; g += 4)
        {
            Assert.Equal(2, mask[g] + mask[g + 1] + mask[g + 2] + mask[g + 3]);
            for (var j = g; j < g + 4; j++) if (mask[j] == 0) Assert.Equal(0f, w[j]);
        }
    }

    /// <summary>training.parquet and perplexity.parquet of <paramref name="outDir"/>, read by DuckDB (not the Parquet.Net that wrote
    /// them), hold the report's curve step by step and its perplexities.</summary>
    private static void AssertParquetMetricsMatch(string outDir, TrainingReport report)
    {
        var run = Path.GetFileName(outDir);
        var (columns, rows) = DuckDbFiles.Query(
            $"SELECT run, method, step, loss, lambda_term, two_sparse_fraction, lr, grad_norm, seconds FROM '{Path.Combine(outDir, TrainingMetricsParquet.CurveFile)}' ORDER BY step");
        Assert.Equal(report.Curve.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var s = report.Curve[i];
            Assert.Equal(new object?[] { run, report.Method, s.Step, s.Loss, s.LambdaTerm, s.TwoSparseFraction, s.LearningRate, s.GradNorm, s.Seconds }, rows[i]);
        }
        var (_, ppl) = DuckDbFiles.Query($"SELECT run, method, dataset, ppl_before, ppl_after FROM '{Path.Combine(outDir, RunMetricsParquet.PerplexityFile)}'");
        Assert.Equal(report.Evaluation.Select(e => new object?[] { run, report.Method, e.Dataset, e.PerplexityBefore, e.PerplexityAfter }), ppl);
        // And the library's own reader (what a service would use) agrees.
        Assert.Equal(report.Curve.Select(s => s.TwoSparseFraction), TrainingMetricsParquet.ReadCurve(outDir).Select(r => r.TwoSparseFraction!.Value));
    }

    [Fact]
    public void ProxSparseKeepsTheOriginalWeightsOnItsMaskWhichIsExactly24()
    {
        var dense = TestData.SyntheticModel(31);
        var outDir = Path.Combine(TestData.TempDir("proxsparse"), "out");
        var report = TrainingRun.ProxSparse(Request(dense, outDir), new ProxSparseOptions(Lambda1: 0.05, Lambda2: 0.1, Steps: 6, LearningRate: 1e-3));

        Assert.Equal(6, report.Curve.Count);
        Assert.True(report.Curve[^1].TwoSparseFraction > report.Curve[0].TwoSparseFraction - 1e-12);
        Assert.True(report.Curve.All(s => s.LambdaTerm >= 0 && double.IsFinite(s.Loss)));
        var (weights, masks) = Linears(outDir);
        using var original = LlamaModel.Open(dense);
        var i = 0;
        for (var k = 0; k < original.Config.NumHiddenLayers; k++)
            foreach (var name in DecoderBlockWeights.LinearNames)
            {
                var w0 = original.ReadTensor(LlamaTensorNames.Layer(k, name));
                AssertExactly24(weights[i], masks[i]);
                for (var j = 0; j < w0.Length; j++) Assert.Equal(masks[i][j] == 1 ? w0[j] : 0f, weights[i][j]);
                i++;
            }
        Assert.True(File.Exists(Path.Combine(outDir, "report.json")));
        Assert.False(Directory.Exists(outDir + ".tmp"));
        AssertParquetMetricsMatch(outDir, report);
    }

    [Fact]
    public void TheProxSparseMaskIsTheTopTwoOfTheLearnedWeights()
    {
        // A group whose learned magnitudes order differs from the original's: the mask follows the learned ones.
        var mask = TrainingRun.TopTwoMask([0.1f, -0.5f, 0.4f, 0.0f, 3f, 2f, -2.5f, 1f], 1, 8);
        Assert.Equal(new byte[] { 0, 1, 1, 0, 1, 0, 1, 0 }, mask);
    }

    [Fact]
    public void GroupProxMakesGroupsSparseAndCountsThem()
    {
        using var w = torch.tensor(new float[] { 1f, 0.9f, 0.8f, 0.7f, 1f, 0.01f, 0f, 0f }).reshape(1, 8);
        Assert.Equal(1, GroupProx.DenseGroups(w));
        var left = GroupProx.Apply(w, 10.0); // t far above κ·y3/(y1·y2): the first group must become 2-sparse
        Assert.Equal(0, left);
        Assert.Equal(0, GroupProx.DenseGroups(w));
        Assert.Equal(0.01f, w[0, 5].item<float>()); // a 2-sparse group is a fixed point of the prox
    }

    [Theory]
    [InlineData("kl")]
    [InlineData("lm")]
    public void FinetuningKeepsTheMaskExactlyAndChangesTheKeptWeights(string loss)
    {
        var dense = TestData.SyntheticModel(41);
        var root = TestData.TempDir("finetune");
        var pruned = Path.Combine(root, "pruned");
        PruneRun.Execute(new PruneRequest(dense, pruned, new PrunePipeline.Contracts.PruneMethodSettings("wanda", "none"),
            new PrunePipeline.Contracts.CalibrationSettings(TestData.TinyStories, "packed", 4, 32, 0), EvaluateDense: false));
        var (w0, m0) = Linears(pruned);
        var outDir = Path.Combine(root, "finetuned");
        var report = TrainingRun.Finetune(Request(pruned, outDir, dense), new FinetuneOptions(loss, Steps: 8, LearningRate: 3e-3));

        var (w1, m1) = Linears(outDir);
        var changed = 0;
        for (var i = 0; i < w1.Length; i++)
        {
            Assert.Equal(m0[i], m1[i]);
            AssertExactly24(w1[i], m0[i]);
            changed += w1[i].Zip(w0[i]).Count(p => p.First != p.Second);
        }
        Assert.True(changed > 0, "finetuning changed no weight");
        Assert.True(report.Curve.All(s => s.TwoSparseFraction == 1.0));
        Assert.True(report.Curve[^1].Loss < report.Curve[0].Loss, $"loss {report.Curve[0].Loss} → {report.Curve[^1].Loss}");
        Assert.Equal(Linears(pruned).Weights[0], w0[0]); // the input model is untouched
        AssertParquetMetricsMatch(outDir, report);
        // Only the seven linears of every block are trained: embedding and norms are the pruned input's, bit for bit.
        using var input = LlamaModel.Open(pruned);
        using var output = LlamaModel.Open(outDir);
        var linears = Enumerable.Range(0, input.Config.NumHiddenLayers)
            .SelectMany(k => DecoderBlockWeights.LinearNames.Select(n => LlamaTensorNames.Layer(k, n))).ToHashSet();
        var frozen = input.TensorNames.Where(n => !linears.Contains(n)).ToList();
        Assert.Contains(LlamaTensorNames.Embedding, frozen);
        Assert.Equal(frozen, output.TensorNames.Where(n => !linears.Contains(n)));
        foreach (var name in frozen) Assert.Equal(input.ReadTensor(name), output.ReadTensor(name));
    }
}
