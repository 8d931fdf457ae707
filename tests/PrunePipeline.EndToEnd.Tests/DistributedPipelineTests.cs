using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PrunePipeline.Artifacts;
using PrunePipeline.Cli.Pipeline;
using PrunePipeline.Contracts;
using PrunePipeline.EventStore;
using PrunePipeline.Model.Llama2c;
using PrunePipeline.ServiceDefaults;
using PrunePipeline.Tokenizers;
using PrunePipeline.Workflow;
using PrunePipeline.Workflow.Output;
using Xunit.Abstractions;

namespace PrunePipeline.EndToEnd.Tests;

/// <summary>
/// The distributed pipeline for real: RabbitMQ + PostgreSQL + S3 (moto) from scripts/servers.sh, each service its own
/// OS process and TWO pruner processes; a run of the converted stories260K must equal prunectl prune byte for byte and
/// share its layers between both pruners; then a replay with another λ schedule reuses every Hessian.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class DistributedPipelineTests(ITestOutputHelper output)
{

    [Fact]
    public async Task Distributed_run_with_two_pruners_then_replay_with_another_lambda_schedule()
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        var model = PipelineTestData.Stories260K;
        var settings = FaultCluster.DistributedSettings("e2e-" + id, "e2e_" + id, model);
        var work = Directory.CreateTempSubdirectory("pp-e2e-").FullName;

        var processes = new List<ServiceProcess>();
        try
        {
            foreach (var (name, folder, dll) in new[]
                     {
                         ("coordinator", "coordinator", "PrunePipeline.Coordinator"),
                         ("calibrator", "calibrator", "PrunePipeline.Calibrator"), ("pruner-1", "pruner", "PrunePipeline.Pruner"),
                         ("pruner-2", "pruner", "PrunePipeline.Pruner"), ("finetuner", "finetuner", "PrunePipeline.Finetuner"),
                         ("evaluator", "evaluator", "PrunePipeline.Evaluator"),
                     })
                processes.Add(new ServiceProcess(name, ServiceProcess.ServiceDll(folder, dll, FaultCluster.BuildConfiguration), settings));
            // Start-up of six .NET processes on a loaded machine is slow, not stuck: allow minutes, and name who is missing.
            var started = Task.WhenAll(processes.Select(p => p.Started));
            if (await Task.WhenAny(started, Task.Delay(TimeSpan.FromMinutes(4))) != started)
                Assert.Fail("not started within 4 min: " + string.Join(", ", processes.Where(p => !p.Started.IsCompleted).Select(p => p.Name)) +
                            "\n" + string.Join("\n", processes.Select(p => $"--- {p.Name}\n{p.Output}")));

            // The client: the production registration with no consumers (what prunectl submit/watch use).
            var config = new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(kv => kv.Key.Replace("__", ":"), kv => (string?)kv.Value)).Build();
            var services = new ServiceCollection().AddLogging();
            services.AddPipeline(config, "prunectl", EmbeddedPipeline.NoStages);
            await using var provider = services.BuildServiceProvider();
            var bus = provider.GetRequiredService<IBusControl>();
            await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
            var events = provider.GetRequiredService<IEventStore>();
            var artifacts = provider.GetRequiredService<IArtifactStore>();
            try
            {
                var method = new PruneMethodSettings("prox", "gd", RefineSteps: 10, Lambda0: 0.01, Beta: 1.05, MaxIters: 60);
                var calib = new CalibrationSettings(RepoPaths.Shared("data", "c4", "c4_validation_2k.jsonl"), Samplers.RandomWindow, 4, 32, 5);
                var tiny = RepoPaths.Shared("data", "tinystories", "tinystories_val_first1000.eot.txt");
                var request = new PruneRequested(Guid.NewGuid(), model, calib, PruneMode.Sequential, method,
                    new EvaluationSettings(new Dictionary<string, string> { ["tinystories"] = tiny }, 64));
                var sw = Stopwatch.StartNew();
                await bus.Publish(request);
                var run = await WaitForEnd(events, request.RunId, processes);
                output.WriteLine($"distributed run: {sw.Elapsed.TotalSeconds:F1} s, {run.Count} events");

                var pruned = run.Select(e => e.Data).OfType<LayerPruned>().ToList();
                Assert.Equal(35, pruned.Count);
                var workers = pruned.GroupBy(p => p.Worker).ToDictionary(g => g.Key ?? "?", g => g.Count());
                output.WriteLine("layers per pruner: " + string.Join(", ", workers.Select(w => $"{w.Key}={w.Value}")));
                Assert.Equal(2, workers.Count);
                // Worker ids are "pruner@host:pid/device/dtype": each names one of the two pruner processes and its device.
                var prunerPids = processes.Where(p => p.Name.StartsWith("pruner", StringComparison.Ordinal)).Select(p => $":{p.Pid}/").ToList();
                Assert.All(workers.Keys, w => Assert.Contains(prunerPids, pid => w.Contains(pid, StringComparison.Ordinal)));
                Assert.All(workers.Keys, w => Assert.EndsWith("/cpu/fp32", w));
                Assert.All(run.Select(e => e.Data).OfType<BlockCalibrated>(), b => Assert.False(b.Reused));

                // Byte-identical to prunectl prune (and so to the embedded pipeline, see EmbeddedPipelineTests).
                var outDir = Path.Combine(work, "distributed");
                await artifacts.DownloadDirectoryAsync(((RunCompleted)run[^1].Data).ModelPrefix, outDir);
                var reference = Path.Combine(work, "prune");
                PruneRun.Execute(new PruneRequest(model, reference, method, calib, PruneMode.Sequential, EvaluateDense: false));
                Assert.Equal(File.ReadAllBytes(Path.Combine(reference, "masks.safetensors")), File.ReadAllBytes(Path.Combine(outDir, "masks.safetensors")));
                Assert.Equal(File.ReadAllBytes(Path.Combine(reference, "model.safetensors")), File.ReadAllBytes(Path.Combine(outDir, "model.safetensors")));
                Assert.True((await events.GetRunAsync(request.RunId))!.Perplexities["tinystories"] > 1);

                // Replay from prune with another λ schedule: no calibration work, Hessians reused.
                var hessiansBefore = await artifacts.ListAsync("hessians/");
                var replay = new ReplayRequested(Guid.NewGuid(), request.RunId, PipelineStages.Prune, new ReplayOverrides(Lambda0: 0.05, Beta: 1.1));
                sw.Restart();
                await bus.Publish(replay);
                var replayed = await WaitForEnd(events, replay.RunId, processes);
                output.WriteLine($"replay: {sw.Elapsed.TotalSeconds:F1} s");
                var calibrated = replayed.Select(e => e.Data).OfType<BlockCalibrated>().ToList();
                Assert.Equal(5, calibrated.Count);
                Assert.All(calibrated, b => Assert.True(b.Reused && b.ReusedFromRun == request.RunId && b.Worker == "coordinator"));
                Assert.Equal(run.Select(e => e.Data).OfType<BlockCalibrated>().Select(b => b.HessianKeys["attn_in"]), calibrated.Select(b => b.HessianKeys["attn_in"]));
                Assert.Contains("SOURCE run's pruned prefix", calibrated[1].Note);
                Assert.Equal(hessiansBefore, await artifacts.ListAsync("hessians/"));
                Assert.Equal(35, replayed.Count(e => e.Data is LayerPruned));
                var summary = (await events.GetRunAsync(replay.RunId))!;
                Assert.Equal((RunStatuses.Completed, "prox"), (summary.Status, summary.Method));
                Assert.True(summary.Perplexities["tinystories"] > 1);

                var replayDir = Path.Combine(work, "replay");
                await artifacts.DownloadDirectoryAsync(((RunCompleted)replayed[^1].Data).ModelPrefix, replayDir);
                var modelConfig = PrunePipeline.Model.LlamaConfig.Load(Path.Combine(model, "config.json"));
                var masks = MaskFileReader.ReadAll(Path.Combine(replayDir, "masks.safetensors"));
                Assert.Equal(35, masks.Count);
                foreach (var (name, (rows, bytesPerRow, packed)) in masks)
                {
                    var cols = LayerNames.Shape(modelConfig, name).Cols; // the packed rows are padded to whole bytes
                    var mask = new byte[rows * cols];
                    MaskPacking.Unpack(packed, mask, (int)rows, cols);
                    for (var g = 0; g < mask.Length; g += 4) Assert.True(mask[g] + mask[g + 1] + mask[g + 2] + mask[g + 3] == 2, $"{name}: group {g / 4} is not 2:4");
                }
                // Block 0's Hessians do not depend on the pruned prefix: there the replay equals a fresh prune with the new λ.
                var fresh = Path.Combine(work, "prune-new-lambda");
                PruneRun.Execute(new PruneRequest(model, fresh, (method with { Lambda0 = 0.05, Beta = 1.1 }), calib, PruneMode.Sequential, EvaluateDense: false));
                var freshMasks = MaskFileReader.ReadAll(Path.Combine(fresh, "masks.safetensors"));
                foreach (var name in masks.Keys.Where(n => n.StartsWith("model.layers.0.", StringComparison.Ordinal)))
                    Assert.Equal(freshMasks[name].Packed, masks[name].Packed);
            }
            finally
            {
                await bus.StopAsync();
            }
        }
        finally
        {
            foreach (var p in processes) p.Dispose();
            Directory.Delete(work, true);
        }
    }

    static async Task<List<StoredEvent>> WaitForEnd(IEventStore events, Guid runId, IReadOnlyList<ServiceProcess> processes)
    {
        string Output() => string.Join("\n", processes.Select(p => $"--- {p.Name}\n{p.Output}"));
        var seen = await RunProgress.UntilEndAsync(events, runId, diagnostics: Output);
        if (seen[^1].Data is RunFailed f) Assert.Fail($"run {runId} failed at {f.Stage}: {f.Reason}\n{Output()}");
        return seen;
    }
}
