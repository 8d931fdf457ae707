using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using PrunePipeline.Artifacts;
using PrunePipeline.Contracts;
using PrunePipeline.EventStore;
using PrunePipeline.Model;
using PrunePipeline.ServiceDefaults.Configuration;
using PrunePipeline.Cli.Pipeline;
using PrunePipeline.ServiceDefaults;
using PrunePipeline.Workflow;
using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.EndToEnd.Tests;

/// <summary>The production registration on MassTransit's test harness, on the real stories260K: the pipeline's
/// output must be byte-identical to <see cref="PruneRun.Execute"/> (prunectl prune) with the same seed.</summary>
public sealed class EmbeddedPipelineTests
{
    internal static async Task<(IReadOnlyList<StoredEvent> Events, string OutDir, ITestHarness Harness, ServiceProvider Provider)> RunAsync(PruneRequested request, string dir)
    {
        var options = PipelineTestData.EmbeddedOptions(dir);
        var services = new ServiceCollection().AddLogging();
        services.AddPipelineCore(options, EmbeddedPipeline.Worker);
        services.AddMassTransitTestHarness(EmbeddedPipeline.AddAllStages);
        var provider = services.BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        harness.TestTimeout = TimeSpan.FromSeconds(60);
        await harness.Start();
        await harness.Bus.Publish(request);
        var store = provider.GetRequiredService<IEventStore>();
        var events = await RunProgress.UntilEndAsync(store, request.RunId);
        Assert.True(events[^1].Data is RunCompleted, "run did not complete: " + (events[^1].Data is RunFailed f ? f.Reason : ""));
        var outDir = Path.Combine(dir, "out");
        await provider.GetRequiredService<IArtifactStore>().DownloadDirectoryAsync(((RunCompleted)events[^1].Data).ModelPrefix, outDir);
        return (events, outDir, harness, provider);
    }

    [Theory]
    [InlineData(PruneMode.Sequential, "prox", "gd")]
    [InlineData(PruneMode.OneShot, "wanda", "none")]
    public async Task Pipeline_masks_and_weights_equal_prunectl_prune(PruneMode mode, string method, string refine)
    {
        var dir = PipelineTestData.TempDir("embedded");
        var settings = new PruneMethodSettings(method, refine, RefineSteps: 10, Lambda0: 0.01, Beta: 1.05, MaxIters: 60);
        var calib = new CalibrationSettings(PipelineTestData.C4Calibration, Samplers.RandomWindow, 4, 32, 11);
        var request = new PruneRequested(Guid.NewGuid(), PipelineTestData.Stories260K, calib, mode, settings,
            new EvaluationSettings(new Dictionary<string, string> { ["tinystories"] = PipelineTestData.TinyStories }, 64));
        var (events, outDir, harness, provider) = await RunAsync(request, dir);
        await using var _ = provider;
        await harness.Stop();

        var reference = Path.Combine(dir, "prune");
        var expected = PruneRun.Execute(new PruneRequest(PipelineTestData.Stories260K, reference, settings, calib,
            mode, [new EvalDatasetSpec("tinystories", PipelineTestData.TinyStories)], 64));
        Assert.Equal(File.ReadAllBytes(Path.Combine(reference, "masks.safetensors")), File.ReadAllBytes(Path.Combine(outDir, "masks.safetensors")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(reference, "model.safetensors")), File.ReadAllBytes(Path.Combine(outDir, "model.safetensors")));

        Assert.Equal(35, events.Count(e => e.Data is LayerPruned));
        Assert.Equal(refine == "none" ? 0 : 35, events.Count(e => e.Data is LayerRefined));
        Assert.Equal(5, events.Count(e => e.Data is BlockCalibrated { Reused: false }));
        var ppl = Assert.Single(((RunCompleted)events[^1].Data).Perplexities);
        Assert.True(double.IsFinite(ppl.Perplexity) && ppl.Perplexity > 1, $"perplexity {ppl.Perplexity}");
        Assert.True(await harness.Consumed.Any<PruneLayer>());

        // report.json, folded from the events, matches prunectl prune's (everything but timings).
        var report = RunReportBuilder.Build(events, LlamaConfig.Load(Path.Combine(PipelineTestData.Stories260K, "config.json")));
        Assert.Equal(expected.Layers.Count, report.Layers.Count);
        foreach (var (want, got) in expected.Layers.Zip(report.Layers))
        {
            Assert.Equal((want.Block, want.Linear, want.Tensor, want.Rows, want.Cols), (got.Block, got.Linear, got.Tensor, got.Rows, got.Cols));
            Assert.Equal(want.LossBeforeRefine, got.LossBeforeRefine, 12);
            Assert.Equal(want.LossAfterRefine, got.LossAfterRefine, 12);
            Assert.Equal(want.Iterations, got.Iterations);
            Assert.Equal(want.FinalLambda, got.FinalLambda);
            Assert.Equal(want.HitMaxIterations, got.HitMaxIterations);
            Assert.Equal(want.KeptFraction, got.KeptFraction);
        }
        // layers.parquet of a run names the pipeline worker that pruned each layer (prunectl prune names itself).
        var workers = events.Select(e => e.Data).OfType<LayerPruned>().ToDictionary(x => x.Layer, x => x.Worker);
        Assert.All(RunMetricsParquet.LayerRows(request.RunId.ToString("D"), report, "fallback"),
            row => Assert.Equal(workers[row.Tensor!], row.Worker));
        Assert.All(workers.Values, w => Assert.False(string.IsNullOrEmpty(w)));
        Assert.Equal((expected.Method, expected.Refine, expected.Mode, expected.Seed, expected.CalibrationTokens, expected.Parameters, expected.Calibration),
            (report.Method, report.Refine, report.Mode, report.Seed, report.CalibrationTokens, report.Parameters, report.Calibration));
        var wantSet = Assert.Single(expected.Evaluation);
        var gotSet = Assert.Single(report.Evaluation);
        Assert.NotNull(gotSet.PerplexityBefore);
        Assert.Equal(wantSet.PerplexityBefore!.Value, gotSet.PerplexityBefore!.Value, 9);
        Assert.Equal(wantSet.PerplexityAfter, gotSet.PerplexityAfter, 9);
        Assert.Equal((wantSet.SeqLen, wantSet.Convention, wantSet.Sequences, wantSet.PredictedTokens, wantSet.Path),
            (gotSet.SeqLen, gotSet.Convention, gotSet.Sequences, gotSet.PredictedTokens, gotSet.Path));
        Assert.True(gotSet.PerplexityAfter > gotSet.PerplexityBefore, "pruning should raise perplexity");
        Assert.Contains(events, e => e.Data is ModelEvaluated { Model: EvaluatedModel.Dense });
        Assert.True(File.Exists(Path.Combine(outDir, "sparsity.json")), "the pipeline writes sparsity.json");
        var sparsity = WorkflowJson.Read<SparsityManifest>(Path.Combine(outDir, "sparsity.json"));
        Assert.Equal(35, sparsity.Tensors.Count);
    }

    [Fact]
    public async Task A_bad_calibration_file_fails_the_run_naming_the_file()
    {
        var dir = PipelineTestData.TempDir("bad");
        var request = new PruneRequested(Guid.NewGuid(), PipelineTestData.Stories260K,
            new CalibrationSettings(RepoPaths.Shared("data", "c4", "c4_valid_part_of_0.json"), Samplers.Packed, 2, 16, 0),
            PruneMode.Sequential, new PruneMethodSettings("magnitude", "none"), new EvaluationSettings(new Dictionary<string, string>()));
        var options = PipelineTestData.EmbeddedOptions(dir);
        var services = new ServiceCollection().AddLogging();
        services.AddPipelineCore(options, EmbeddedPipeline.Worker);
        services.AddMassTransitTestHarness(EmbeddedPipeline.AddAllStages);
        await using var provider = services.BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        await harness.Bus.Publish(request);
        var last = (await RunProgress.UntilEndAsync(provider.GetRequiredService<IEventStore>(), request.RunId))[^1];
        var failed = Assert.IsType<RunFailed>(last.Data);
        Assert.Equal(PipelineStages.Calibrate, failed.Stage);
        Assert.Contains("c4_valid_part_of_0.json", failed.Reason);
        Assert.Equal(RunStatuses.Failed, (await provider.GetRequiredService<IEventStore>().GetRunAsync(request.RunId))?.Status);
    }
}
