using PrunePipeline.Contracts;
using System.Text.Json;
using PrunePipeline.Errors;
using PrunePipeline.Model;
using PrunePipeline.Workflow.Output;
using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.Workflow.Tests;

public class PruneRunTests
{
    private static PruneRequest Request(string model, string outDir, string method = "wanda", string refine = "gd", PruneMode mode = PruneMode.Sequential,
        string? calib = null, int nsamples = 4, int seqLen = 32, IReadOnlyList<EvalDatasetSpec>? eval = null) =>
        new(model, outDir, new PruneMethodSettings(method, refine, RefineSteps: 20),
            new CalibrationSettings(calib ?? TestData.C4Calibration, "random-window", nsamples, seqLen, 7), mode, eval, 32);

    [Fact]
    public void WritesALoadableExactly24ModelWithMasksAndReports()
    {
        var model = TestData.SyntheticModel(11);
        var outDir = Path.Combine(TestData.TempDir("out"), "pruned");
        var report = PruneRun.Execute(Request(model, outDir,
            eval: [new EvalDatasetSpec("tinystories", TestData.SharedPath("data", "tinystories", "tinystories_val_first1000.eot.txt"))]));

        Assert.False(Directory.Exists(outDir + ".tmp"));
        // config.json is the source's, byte for byte, and says nothing about sparsity.
        var config = File.ReadAllText(Path.Combine(outDir, "config.json"));
        Assert.Equal(File.ReadAllText(Path.Combine(model, "config.json")), config);
        Assert.DoesNotContain("sparsity", config, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("2:4", config, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(outDir, "tokenizer.bin")));

        using var pruned = LlamaModel.Open(outDir);
        using var dense = LlamaModel.Open(model);
        var masks = MaskFileReader.ReadAll(Path.Combine(outDir, "masks.safetensors"));
        Assert.Equal(2 * 7, masks.Count);
        for (var k = 0; k < 2; k++)
            foreach (var name in DecoderBlockWeights.LinearNames)
            {
                var tensor = LlamaTensorNames.Layer(k, name);
                var w = pruned.ReadTensor(tensor);
                var (rows, cols) = DecoderBlockWeights.LinearShape(pruned.Config, name);
                var (mRows, _, packed) = masks[tensor];
                Assert.Equal(rows, mRows);
                var mask = new byte[rows * cols];
                MaskPacking.Unpack(packed, mask, rows, cols);
                for (var g = 0; g < w.Length; g += 4)
                {
                    Assert.Equal(2, mask.AsSpan(g, 4).ToArray().Count(b => b == 1));
                    for (var i = g; i < g + 4; i++)
                        if (mask[i] == 0) Assert.Equal(0f, w[i]);
                    Assert.True(w.AsSpan(g, 4).ToArray().Count(v => v == 0f) >= 2, $"{tensor} group {g / 4}");
                }
            }
        // Norms and embedding are copied unchanged.
        Assert.Equal(dense.ReadTensor(LlamaTensorNames.Embedding), pruned.ReadTensor(LlamaTensorNames.Embedding));
        Assert.Equal(dense.ReadTensor(LlamaTensorNames.Layer(1, "input_layernorm")), pruned.ReadTensor(LlamaTensorNames.Layer(1, "input_layernorm")));

        // sparsity.json and report.json carry what a reader needs.
        var sparsity = WorkflowJson.Read<SparsityManifest>(Path.Combine(outDir, "sparsity.json"));
        Assert.Equal("2:4", sparsity.Pattern);
        Assert.Equal("wanda", sparsity.Method);
        Assert.Equal(14, sparsity.Tensors.Count);
        Assert.Equal(7, sparsity.Seed);
        Assert.Equal(4, sparsity.Calibration.NSamples);
        Assert.Equal("masks.safetensors", sparsity.MaskFile);
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json"))))
        {
            var root = doc.RootElement;
            Assert.Equal(128, root.GetProperty("calibration_tokens").GetInt64());
            var layer = root.GetProperty("layers")[0];
            foreach (var f in new[] { "loss_before_refine", "loss_after_refine", "iterations", "method_seconds", "refine_seconds" })
                Assert.True(layer.TryGetProperty(f, out _), f);
            var ev = root.GetProperty("evaluation")[0];
            Assert.Equal("tinystories", ev.GetProperty("dataset").GetString());
            Assert.Equal(32, ev.GetProperty("seq_len").GetInt32());
            Assert.False(string.IsNullOrEmpty(ev.GetProperty("convention").GetString()));
            Assert.True(ev.GetProperty("perplexity_before").GetDouble() > 1);
            Assert.True(ev.GetProperty("perplexity_after").GetDouble() > 1);
        }
        Assert.Equal(14, report.Layers.Count);
        Assert.All(report.Layers, l => Assert.True(l.LossAfterRefine <= l.LossBeforeRefine * (1 + 1e-6) && l.LossBeforeRefine > 0));
        Assert.All(report.Layers, l => Assert.Equal(0.5, l.KeptFraction));
    }

    [Theory]
    [InlineData("prox", "gd")]
    [InlineData("prox", "none")]
    [InlineData("sparsegpt", "exact")]
    [InlineData("magnitude", "gd")]
    public void EveryMethodGivesExact24AndRefinementNeverHurts(string method, string refine)
    {
        var model = TestData.SyntheticModel(16);
        var outDir = Path.Combine(TestData.TempDir("methods"), "out");
        var report = PruneRun.Execute(Request(model, outDir, method, refine) with { Parameters = new PruneMethodSettings(method, refine, RefineSteps: 50, MaxIters: 300) });
        Assert.Equal(method, report.Method);
        using var pruned = LlamaModel.Open(outDir);
        foreach (var l in report.Layers)
        {
            var w = pruned.ReadTensor(l.Tensor);
            for (var g = 0; g < w.Length; g += 4) Assert.True(w.AsSpan(g, 4).ToArray().Count(v => v == 0f) >= 2, $"{l.Tensor} group {g / 4}");
            Assert.True(l.LossAfterRefine <= l.LossBeforeRefine * (1 + 1e-5), $"{l.Tensor}: {l.LossAfterRefine} > {l.LossBeforeRefine}");
            if (refine == "none") Assert.Equal(l.LossBeforeRefine, l.LossAfterRefine);
            if (method == "prox") Assert.True(l.Iterations > 0 && l.FinalLambda > 0);
        }
    }

    [Fact]
    public void SameInputsAndSeedGiveBitIdenticalMasksAndWeights()
    {
        var model = TestData.SyntheticModel(12);
        var a = Path.Combine(TestData.TempDir("det"), "a");
        var b = Path.Combine(TestData.TempDir("det"), "b");
        PruneRun.Execute(Request(model, a, "prox") with { Parameters = new PruneMethodSettings("prox", "gd", RefineSteps: 20, MaxIters: 300) });
        PruneRun.Execute(Request(model, b, "prox") with { Parameters = new PruneMethodSettings("prox", "gd", RefineSteps: 20, MaxIters: 300) });
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "masks.safetensors")), File.ReadAllBytes(Path.Combine(b, "masks.safetensors")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "model.safetensors")), File.ReadAllBytes(Path.Combine(b, "model.safetensors")));
    }

    [Fact]
    public void SequentialAndOneShotAgreeOnBlockZeroOnly()
    {
        var model = TestData.SyntheticModel(13, layers: 3);
        var seq = PruneRun.Execute(Request(model, Path.Combine(TestData.TempDir("mode"), "seq"), mode: PruneMode.Sequential));
        var one = PruneRun.Execute(Request(model, Path.Combine(TestData.TempDir("mode"), "one"), mode: PruneMode.OneShot));
        Assert.Equal(PruneMode.OneShot, one.Mode);
        // report.json keeps the user-facing name of the mode (an enum serialised as its string).
        Assert.Contains("\"mode\": \"one-shot\"", System.Text.Json.JsonSerializer.Serialize(one, PrunePipeline.Workflow.Reports.WorkflowJson.Options));
        // Block 0 sees the same (embedded) inputs in both modes: same H, so the same losses to the last bit.
        for (var i = 0; i < 7; i++)
        {
            Assert.Equal(seq.Layers[i].LossBeforeRefine, one.Layers[i].LossBeforeRefine);
            Assert.Equal(seq.Layers[i].LossAfterRefine, one.Layers[i].LossAfterRefine);
        }
        // Later blocks see pruned vs dense inputs.
        Assert.Contains(Enumerable.Range(7, 14), i => seq.Layers[i].LossBeforeRefine != one.Layers[i].LossBeforeRefine);
    }

    [Fact]
    public void BadCalibrationFileNamesItAndWritesNothing()
    {
        var model = TestData.SyntheticModel(14);
        var outDir = Path.Combine(TestData.TempDir("bad"), "out");
        var bad = TestData.SharedPath("data", "c4", "c4_valid_part_of_0.json");
        var e = Assert.Throws<InvalidDataException>(() => PruneRun.Execute(Request(model, outDir, calib: bad)));
        Assert.Contains("c4_valid_part_of_0.json", e.Message);
        Assert.False(Directory.Exists(outDir));
        Assert.False(Directory.Exists(outDir + ".tmp"));
    }

    [Fact]
    public void RefusesANonEmptyOutputDirectoryAndForceReplacesOnlyOurOwnOutput()
    {
        var model = TestData.SyntheticModel(15);
        var outDir = TestData.TempDir("exists");
        File.WriteAllText(Path.Combine(outDir, "keep.txt"), "x");
        var e = Assert.Throws<OutputRefusedException>(() => PruneRun.Execute(Request(model, outDir)));
        Assert.Contains("--force", e.Message);
        // --force does not delete a folder that is not a previous output of ours
        e = Assert.Throws<OutputRefusedException>(() => PruneRun.Execute(Request(model, outDir) with { Force = true }));
        Assert.Contains("not a previous output", e.Message);
        Assert.Equal("x", File.ReadAllText(Path.Combine(outDir, "keep.txt")));

        File.Delete(Path.Combine(outDir, "keep.txt"));
        PruneRun.Execute(Request(model, outDir));
        var first = File.ReadAllText(Path.Combine(outDir, "report.json"));
        PruneRun.Execute(Request(model, outDir) with { Force = true });
        Assert.True(File.Exists(Path.Combine(outDir, OutputGuard.MarkerFileName)));
        Assert.NotEqual(first, File.ReadAllText(Path.Combine(outDir, "report.json"))); // timings differ: it was rewritten
    }

    [Fact]
    public void PrunesTheRealStories260KModel()
    {
        var outDir = Path.Combine(TestData.TempDir("stories"), "out");
        var report = PruneRun.Execute(Request(TestData.Stories260K, outDir, method: "wanda", nsamples: 4, seqLen: 64));
        Assert.Equal(5 * 7, report.Layers.Count);
        using var pruned = LlamaModel.Open(outDir);
        Assert.Equal(5, pruned.Config.NumHiddenLayers);
        Assert.All(report.Layers, l => Assert.True(double.IsFinite(l.LossAfterRefine) && l.LossAfterRefine < l.LossBeforeRefine));
    }
}
