using PrunePipeline.Artifacts;
using PrunePipeline.Contracts;
using PrunePipeline.Training;
using PrunePipeline.Workflow;
using Xunit.Abstractions;

namespace PrunePipeline.EndToEnd.Tests;

/// <summary>
/// The finetuning stage distributed (real RabbitMQ / PostgreSQL / S3, every service its own OS process): the finetuner
/// is SIGKILLed after its first recorded checkpoint and started again; RabbitMQ redelivers FinetuneModel, the new
/// process continues from the last recorded checkpoint, and the finetuned weights equal an uninterrupted finetuning of
/// the reference run's model (prunectl prune --finetune's code path) byte for byte.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class FinetuneFaultTests(ReferenceRun reference, ITestOutputHelper output)
{
    [Fact]
    public async Task Finetuner_sigkill_after_a_checkpoint_restarted_resumes_and_ends_identical_to_an_uninterrupted_finetuning()
    {
        const int steps = 8; // a checkpoint every step keeps events coming on a loaded machine (FaultCluster.Quiet)
        await using var cluster = await FaultCluster.StartAsync(reference, output, "coordinator", "calibrator", "pruner-1", "finetuner", "evaluator");
        var request = reference.Request() with { Finetune = new FinetuneSettings("kl", steps, 3e-3, CheckpointEvery: 1) };
        await cluster.Bus.Publish(request);
        await cluster.WaitAsync(request.RunId, s => s.Any(e => e.Data is FinetuneCheckpointed));
        cluster.Kill("finetuner");
        var atKill = await cluster.Events.ReadStreamAsync(request.RunId, 1);
        var recorded = atKill.Select(e => e.Data).OfType<FinetuneCheckpointed>().Max(c => c.Step);
        await cluster.StartAsync("finetuner");

        var run = await cluster.WaitForCompletionAsync(request.RunId);
        var done = Assert.IsType<ModelFinetuned>(Assert.Single(run, e => e.Data is ModelFinetuned).Data);
        output.WriteLine($"killed after checkpoint {recorded}; the restarted finetuner resumed after step {done.ResumedFromStep} " +
                         $"({(atKill.Any(e => e.Data is ModelFinetuned) ? "finished before the kill" : "unfinished at the kill")})");
        Assert.Equal(steps, done.Steps);
        if (!atKill.Any(e => e.Data is ModelFinetuned)) Assert.True(done.ResumedFromStep >= recorded, $"resumed after {done.ResumedFromStep}, recorded {recorded}");
        Assert.Equal(((RunCompleted)run[^1].Data).ModelPrefix, done.ModelPrefix);

        var dir = Directory.CreateTempSubdirectory("pp-finetune-fault-").FullName;
        try
        {
            var outDir = Path.Combine(dir, "pipeline");
            await cluster.Artifacts.DownloadDirectoryAsync(done.ModelPrefix, outDir);
            var pruned = Path.Combine(dir, "pruned");
            PruneRun.Execute(new PruneRequest(reference.Model, pruned, reference.Method, reference.Calibration, PruneMode.OneShot, EvaluateDense: false));
            var finetuned = Path.Combine(dir, "finetuned");
            var c = reference.Calibration;
            TrainingRun.Finetune(new TrainingRequest(pruned, reference.Model, finetuned, new TrainingData(c.Path, null, null, c.SeqLen, 1, c.Seed), []),
                new FinetuneOptions("kl", steps, 3e-3));
            Assert.Equal(File.ReadAllBytes(Path.Combine(finetuned, "model.safetensors")), File.ReadAllBytes(Path.Combine(outDir, "model.safetensors")));
            Assert.Equal(reference.Masks, File.ReadAllBytes(Path.Combine(outDir, "masks.safetensors")));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
