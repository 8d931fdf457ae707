using System.Text.Json;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using PrunePipeline.Artifacts;
using PrunePipeline.Cli.Pipeline;
using PrunePipeline.Contracts;
using PrunePipeline.EventStore;
using PrunePipeline.Model;
using PrunePipeline.ServiceDefaults;
using PrunePipeline.ServiceDefaults.Configuration;
using PrunePipeline.Training;
using PrunePipeline.Workflow;
using PrunePipeline.Workflow.Output;

namespace PrunePipeline.EndToEnd.Tests;

/// <summary>
/// Global masked finetuning as the finetuner's pipeline stage (issue 13), on the real stories260K: the pipeline's
/// finetuned model equals <c>prunectl prune --finetune</c>'s (the same library calls: PruneRun, then
/// TrainingRun.Finetune on its output), keeps the assembled mask exactly, and a finetuner stopped after its first
/// checkpoint resumes there and ends identical to an uninterrupted run.
/// </summary>
public sealed class FinetunePipelineTests
{
    static readonly PruneMethodSettings Method = new("wanda", "none");
    static readonly CalibrationSettings Calibration = new(PipelineTestData.C4Calibration, Samplers.RandomWindow, 4, 32, 11);

    static PruneRequested Request(int steps, EvaluationSettings? evaluation = null) => new(Guid.NewGuid(), PipelineTestData.Stories260K, Calibration,
        PruneMode.OneShot, Method, evaluation ?? new EvaluationSettings(new Dictionary<string, string>()),
        Finetune: new FinetuneSettings("kl", steps, 3e-3, CheckpointEvery: 2));

    /// <summary>What prunectl prune --method wanda --finetune runs (TrainingPrune): the layer-wise model, then finetuning of it.</summary>
    static (string Pruned, string Finetuned, TrainingReport Report) Reference(string dir, int steps)
    {
        var stage = Path.Combine(dir, "reference-pruned");
        PruneRun.Execute(new PruneRequest(PipelineTestData.Stories260K, stage, Method, Calibration, PruneMode.OneShot, [], EvaluateDense: false));
        var output = Path.Combine(dir, "reference-finetuned");
        var report = TrainingRun.Finetune(new TrainingRequest(stage, PipelineTestData.Stories260K, output,
            new TrainingData(Calibration.Path, null, null, Calibration.SeqLen, 1, Calibration.Seed), []), new FinetuneOptions("kl", steps, 3e-3));
        return (stage, output, report);
    }

    static ServiceProvider Host(string dir, Func<IArtifactStore, IArtifactStore>? wrap = null)
    {
        var options = PipelineTestData.EmbeddedOptions(dir);
        var services = new ServiceCollection().AddLogging();
        services.AddPipelineCore(options, EmbeddedPipeline.Worker);
        if (wrap is not null)
        {
            var inner = new FolderArtifactStore(options.Artifacts.FolderPath);
            services.AddSingleton(wrap(inner));
        }
        services.AddMassTransitTestHarness(EmbeddedPipeline.AddAllStages);
        return services.BuildServiceProvider(true);
    }

    [Fact]
    public async Task Pipeline_finetune_equals_prunectl_prune_finetune_keeps_the_mask_and_refuses_a_finished_run()
    {
        var dir = PipelineTestData.TempDir("finetune");
        var request = Request(4, new EvaluationSettings(new Dictionary<string, string> { ["tinystories"] = PipelineTestData.TinyStories }, 64,
            EvaluateDense: false));
        var (events, finetuned, harness, provider) = await EmbeddedPipelineTests.RunAsync(request, dir); // finetuned = RunCompleted's model
        await using var _ = provider;
        var completed = (RunCompleted)events[^1].Data;
        var store = provider.GetRequiredService<IEventStore>();
        var artifacts = provider.GetRequiredService<IArtifactStore>();
        var assembled = Path.Combine(dir, "assembled");
        var state = RunState.Fold(events)!;
        await artifacts.DownloadDirectoryAsync(state.Assembled!.ModelPrefix, assembled);

        // The run's result is the finetuned model: it is what was evaluated and what RunCompleted names.
        var done = Assert.IsType<ModelFinetuned>(Assert.Single(events, e => e.Data is ModelFinetuned).Data);
        Assert.Equal((ArtifactKeys.FinetunedModelPrefix(request.RunId), 4, 0), (done.ModelPrefix, done.Steps, done.ResumedFromStep));
        Assert.Equal(done.ModelPrefix, completed.ModelPrefix);
        Assert.Equal(done.ModelPrefix, state.Evaluated!.ModelPrefix);
        Assert.Equal([2], events.Select(e => e.Data).OfType<FinetuneCheckpointed>().Select(c => c.Step));
        var order = events.Select(e => e.Data.GetType()).ToList();
        Assert.True(order.IndexOf(typeof(ModelAssembled)) < order.IndexOf(typeof(ModelFinetuned)), "finetuned before assembly");
        Assert.True(order.IndexOf(typeof(ModelFinetuned)) < order.IndexOf(typeof(ModelEvaluated)), "evaluated before finetuning");

        // Equal to prunectl prune --finetune with the same settings, byte for byte (weights and masks).
        var (refPruned, refFinetuned, refReport) = Reference(dir, 4);
        Assert.Equal(File.ReadAllBytes(Path.Combine(refPruned, "model.safetensors")), File.ReadAllBytes(Path.Combine(assembled, "model.safetensors")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(refFinetuned, "model.safetensors")), File.ReadAllBytes(Path.Combine(finetuned, "model.safetensors")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(assembled, "masks.safetensors")), File.ReadAllBytes(Path.Combine(finetuned, "masks.safetensors")));
        using (var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(finetuned, "report.json"))))
        {
            var curve = report.RootElement.GetProperty("finetune").GetProperty("curve").EnumerateArray().Select(p => p.GetProperty("loss").GetDouble()).ToList();
            Assert.Equal(refReport.Curve.Select(c => c.Loss), curve);
        }

        // Exactly 2:4 with the assembled mask: every weight off the mask is 0, and finetuning changed the kept ones.
        var masks = MaskFileReader.ReadAll(Path.Combine(assembled, PrunedModelWriter.MaskFileName));
        using var before = LlamaModel.Open(assembled);
        using var after = LlamaModel.Open(finetuned);
        var changed = 0;
        for (var k = 0; k < after.Config.NumHiddenLayers; k++)
        {
            var (b, a) = (before.LoadBlock(k), after.LoadBlock(k));
            foreach (var name in DecoderBlockWeights.LinearNames)
            {
                var (rows, cols) = DecoderBlockWeights.LinearShape(after.Config, name);
                var mask = new byte[rows * cols];
                MaskPacking.Unpack(masks[LlamaTensorNames.Layer(k, name)].Packed, mask, rows, cols);
                var (w0, w1) = (b.GetLinear(name).ToArray(), a.GetLinear(name).ToArray());
                for (var i = 0; i < mask.Length; i++)
                {
                    if (mask[i] == 0) Assert.True(w1[i] == 0, $"{LlamaTensorNames.Layer(k, name)}[{i}] is {w1[i]} off the mask");
                    else if (w1[i] != w0[i]) changed++;
                }
                for (var g = 0; g < mask.Length; g += 4) Assert.Equal(2, mask[g] + mask[g + 1] + mask[g + 2] + mask[g + 3]);
            }
        }
        Assert.True(changed > 0, "finetuning changed no kept weight");

        // A forged FinetuneModel for the finished run is refused: nothing is trained or written.
        var forged = $"finetuned/{request.RunId:D}/forged";
        await harness.Bus.Publish(new FinetuneModel(request.RunId, PipelineTestData.Stories260K, state.Assembled.ModelPrefix, Calibration,
            request.Finetune! with { Steps = 2 }, forged));
        harness.TestInactivityTimeout = TimeSpan.FromMinutes(5); // a loaded machine: the refusal is slow, not missing
        Assert.True(await harness.Consumed.Any<FinetuneModel>(m => m.Context.Message.OutputPrefix == forged), "the forged command was never consumed");
        Assert.Empty(await artifacts.ListAsync(forged + "/"));
        Assert.Equal(events.Count, (await store.ReadStreamAsync(request.RunId)).Count);
        await harness.Stop();
    }

    [Fact]
    public async Task A_finetuner_stopped_after_its_first_checkpoint_resumes_there_and_ends_identical_to_an_uninterrupted_run()
    {
        var dir = PipelineTestData.TempDir("finetune-resume");
        var request = Request(6);
        GatedArtifactStore? gated = null;
        var first = Host(dir, inner => gated = new GatedArtifactStore(inner, "/checkpoints/00000004/"));
        var firstHarness = first.GetRequiredService<ITestHarness>();
        await firstHarness.Start();
        await firstHarness.Bus.Publish(request);
        var store = first.GetRequiredService<IEventStore>();
        // The first finetuner is frozen while writing its second checkpoint; its first one is recorded.
        await gated!.Reached.WaitAsync(TimeSpan.FromMinutes(10));
        var checkpointed = await WaitForAsync(store, request.RunId, e => e.Data is FinetuneCheckpointed { Step: 2 });
        var firstCurve = await ReadCurveAsync(first.GetRequiredService<IArtifactStore>(), ArtifactKeys.FinetuneCheckpoint(request.RunId, 2));

        // A second process on the same history and artifacts: its resumer re-sends FinetuneModel, its finetuner resumes.
        await using (var second = Host(dir))
        {
            var harness = second.GetRequiredService<ITestHarness>();
            await harness.Start();
            var events = await RunProgress.UntilEndAsync(second.GetRequiredService<IEventStore>(), request.RunId);
            var completed = Assert.IsType<RunCompleted>(events[^1].Data);
            var done = Assert.IsType<ModelFinetuned>(Assert.Single(events, e => e.Data is ModelFinetuned).Data);
            Assert.Equal((6, 2), (done.Steps, done.ResumedFromStep));
            Assert.Equal([2, 4], events.Select(e => e.Data).OfType<FinetuneCheckpointed>().Select(c => c.Step));
            var output = Path.Combine(dir, "finetuned");
            await second.GetRequiredService<IArtifactStore>().DownloadDirectoryAsync(completed.ModelPrefix, output);

            var (_, reference, refReport) = Reference(dir, 6);
            Assert.Equal(File.ReadAllBytes(Path.Combine(reference, "model.safetensors")), File.ReadAllBytes(Path.Combine(output, "model.safetensors")));
            using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "report.json")));
            var curve = report.RootElement.GetProperty("finetune").GetProperty("curve").EnumerateArray().ToList();
            Assert.Equal(refReport.Curve.Select(c => c.Loss), curve.Select(p => p.GetProperty("loss").GetDouble()));
            // Steps 1-2 were not redone: their records (timings included) are the first process's, from the checkpoint.
            Assert.Equal(firstCurve.Select(c => c.Seconds), curve.Take(2).Select(p => p.GetProperty("seconds").GetDouble()));
            await harness.Stop();
        }
        Assert.NotNull(checkpointed);
        gated.Release(); // the frozen process wakes to a finished run: it writes and records nothing
        await firstHarness.Stop();
        await first.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    static async Task<StoredEvent> WaitForAsync(IEventStore store, Guid run, Func<StoredEvent, bool> what)
    {
        var quiet = System.Diagnostics.Stopwatch.StartNew();
        var count = 0;
        while (true)
        {
            var events = await store.ReadStreamAsync(run);
            if (events.FirstOrDefault(what) is { } hit) return hit;
            if (events.Count != count) (count, quiet) = (events.Count, System.Diagnostics.Stopwatch.StartNew());
            Assert.True(quiet.Elapsed < RunProgress.DefaultIdle, $"run {run}: no new event for {RunProgress.DefaultIdle.TotalSeconds:F0} s");
            await Task.Delay(100);
        }
    }

    static async Task<IReadOnlyList<TrainingStep>> ReadCurveAsync(IArtifactStore artifacts, string prefix)
    {
        await using var s = await artifacts.OpenReadAsync(prefix + "/state.json");
        return (await JsonSerializer.DeserializeAsync<PrunePipeline.Finetuner.FinetuneCheckpointManifest>(s))!.Curve;
    }
}
