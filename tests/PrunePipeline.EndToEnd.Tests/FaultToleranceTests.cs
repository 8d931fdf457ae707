using System.Diagnostics;
using MassTransit;
using PrunePipeline.Contracts;
using PrunePipeline.EventStore;
using Xunit.Abstractions;

namespace PrunePipeline.EndToEnd.Tests;

/// <summary>
/// Faults injected into distributed runs (real RabbitMQ / PostgreSQL / S3, every service its own OS process): each run
/// must end with masks and weights byte-identical to the undisturbed <see cref="ReferenceRun"/>, and work done after a
/// restart is counted from the pruners' execution log (one " pruned by " line per layer pruned and stored).
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class FaultToleranceTests(ReferenceRun reference, ITestOutputHelper output)
{
    static readonly string[] Services = ["coordinator", "calibrator", "pruner-1", "pruner-2", "evaluator"];

    [Fact]
    public async Task Coordinator_and_calibrator_sigkill_mid_run_then_restart_prunes_each_layer_once()
    {
        await using var cluster = await FaultCluster.StartAsync(reference, output, Services);
        var request = reference.Request();
        await cluster.Bus.Publish(request);
        // Both killed once the first block is calibrated: the calibrator dies while calibrating the next block (one-shot
        // chains them), the coordinator with prune commands queued and results unrecorded.
        var atKill = await cluster.WaitAsync(request.RunId, s => s.Any(e => e.Data is BlockCalibrated));
        cluster.Kill("coordinator");
        cluster.Kill("calibrator");
        var killed = await cluster.Events.ReadStreamAsync(request.RunId, 1);
        // Sent but not recorded when the coordinator died: every layer of a calibrated block without LayerPruned.
        var inFlight = 7 * killed.Count(e => e.Data is BlockCalibrated) - killed.Count(e => e.Data is LayerPruned);
        await Task.WhenAll(cluster.StartAsync("calibrator"), cluster.StartAsync("coordinator"));

        var run = await cluster.WaitForCompletionAsync(request.RunId);
        var executions = cluster.CountLines(FaultCluster.PrunedLine);
        output.WriteLine($"executions/layers after a coordinator restart: {executions}/{ReferenceRun.Layers} (in flight at the kill: {inFlight}; events before the kill: {atKill.Count})");
        Assert.Equal(ReferenceRun.Layers, run.Count(e => e.Data is LayerPruned));
        Assert.InRange(executions, ReferenceRun.Layers, ReferenceRun.Layers + inFlight);
        await AssertIdenticalToReference(cluster, run);
    }

    [Fact]
    public async Task Pruner_sigkill_mid_layer_the_other_pruner_finishes_the_run()
    {
        // Prefetch 1: pruner-1 holds the next layer, unacknowledged, which RabbitMQ redelivers to pruner-2.
        var executions = await FaultMidRun(s => s.Any(e => e.Data is LayerPruned { Worker: { } w } && w.StartsWith("pruner", StringComparison.Ordinal)),
            cluster => Run(() => cluster.Kill("pruner-1")));
        Assert.InRange(executions, ReferenceRun.Layers, ReferenceRun.Layers + 1);
    }

    [Fact]
    public Task Broker_stopped_10_s_mid_run_the_run_completes() => FaultMidRun(AnyLayerPruned, _ => Run(() => Servers("pause-rabbitmq", "10")));

    [Fact]
    public Task PostgreSQL_restarted_mid_run_the_run_completes() => FaultMidRun(AnyLayerPruned, _ => Run(() => Servers("restart-postgres")));

    [Fact]
    public Task Every_service_killed_then_started_again_resumes_the_run() => FaultMidRun(AnyLayerPruned, cluster =>
    {
        cluster.KillAll();
        return Task.WhenAll(Services.Select(cluster.StartAsync));
    });

    [Fact]
    public async Task Duplicate_and_forged_messages_change_nothing_stored()
    {
        await using var cluster = await FaultCluster.StartAsync(reference, output, Services);
        var request = reference.Request();
        await cluster.Bus.Publish(request);
        var run = await cluster.WaitForCompletionAsync(request.RunId);
        await AssertIdenticalToReference(cluster, run);
        var artifactsBefore = await Snapshot(cluster);
        var executionsBefore = cluster.CountLines(FaultCluster.PrunedLine);

        // 1. A PruneLayer (another method: it would write other masks) for the finished run, and a duplicate of one of
        //    its events; 2. a PruneLayer for a run that does not exist.
        var pruned = run.Select(e => e.Data).OfType<LayerPruned>().First();
        var calibrated = run.Select(e => e.Data).OfType<BlockCalibrated>().First(b => b.Block == pruned.Block);
        var forged = new PruneLayer(request.RunId, pruned.Block, pruned.Layer, reference.Model, calibrated.HessianKeys["attn_in"],
            new PruneMethodSettings("magnitude", "none"));
        await cluster.Bus.Publish(forged);
        await cluster.Bus.Publish(calibrated);
        var unknown = Guid.NewGuid();
        await cluster.Bus.Publish(forged with { RunId = unknown });

        // 3. A request whose model is outside Pipeline:Roots:Models, and one whose model directory is under the root but
        //    whose config.json links to a secret outside it: refused with the path, never the content.
        var outside = reference.Request() with { ModelLocation = "/etc" };
        await cluster.Bus.Publish(outside);
        var secretDir = Directory.CreateTempSubdirectory("pp-fault-secret-").FullName;
        var linked = Path.Combine(reference.ModelsRoot, "linked-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(linked);
        try
        {
            const string secret = "root:SECRET-HASH-7f3a:19000:0:99999:7:::";
            File.WriteAllText(Path.Combine(secretDir, "shadow"), secret);
            File.CreateSymbolicLink(Path.Combine(linked, "config.json"), Path.Combine(secretDir, "shadow"));
            var symlinked = reference.Request() with { ModelLocation = linked };
            await cluster.Bus.Publish(symlinked);

            // 4. A 20 MB request (refused before it is stored).
            var oversized = reference.Request() with { IdempotencyKey = new string('x', 20 * 1024 * 1024) };
            await cluster.Bus.Publish(oversized);

            var failedOutside = await WaitForFailure(cluster, outside.RunId);
            Assert.Contains("outside Pipeline:Roots:Models", failedOutside.Reason);
            var failedLinked = await WaitForFailure(cluster, symlinked.RunId);
            Assert.Contains("config.json", failedLinked.Reason);
            Assert.DoesNotContain("SECRET", failedLinked.Reason);
            await cluster.SettleAsync(5, request.RunId, unknown, oversized.RunId);

            Assert.Empty(await cluster.Events.ReadStreamAsync(unknown, 1));
            Assert.Empty(await cluster.Events.ReadStreamAsync(oversized.RunId, 1));
            Assert.Equal(run.Count, (await cluster.Events.ReadStreamAsync(request.RunId, 1)).Count);
            Assert.Equal(executionsBefore, cluster.CountLines(FaultCluster.PrunedLine));
            var artifactsAfter = await Snapshot(cluster);
            Assert.Equal(artifactsBefore.Keys, artifactsAfter.Keys);
            foreach (var (key, bytes) in artifactsBefore) Assert.True(bytes.SequenceEqual(artifactsAfter[key]), $"artifact {key} changed");
        }
        finally
        {
            Directory.Delete(secretDir, true);
            Directory.Delete(linked, true);
        }
    }

    static Task Run(Action fault)
    {
        fault();
        return Task.CompletedTask;
    }

    static bool AnyLayerPruned(IReadOnlyList<StoredEvent> stream) => stream.Any(e => e.Data is LayerPruned);

    /// <summary>A run with <paramref name="fault"/> injected once the stream satisfies <paramref name="when"/>; it must
    /// complete with every layer once and the reference's bytes. Returns the pruners' executions.</summary>
    async Task<int> FaultMidRun(Func<IReadOnlyList<StoredEvent>, bool> when, Func<FaultCluster, Task> fault)
    {
        await using var cluster = await FaultCluster.StartAsync(reference, output, Services);
        var request = reference.Request();
        await cluster.Bus.Publish(request);
        await cluster.WaitAsync(request.RunId, when);
        await fault(cluster);
        var run = await cluster.WaitForCompletionAsync(request.RunId);
        var executions = cluster.CountLines(FaultCluster.PrunedLine);
        output.WriteLine($"executions/layers: {executions}/{ReferenceRun.Layers}");
        Assert.Equal(ReferenceRun.Layers, run.Count(e => e.Data is LayerPruned));
        await AssertIdenticalToReference(cluster, run);
        return executions;
    }

    async Task AssertIdenticalToReference(FaultCluster cluster, IReadOnlyList<StoredEvent> run)
    {
        var (masks, weights) = await cluster.OutputAsync(run);
        Assert.True(reference.Masks.AsSpan().SequenceEqual(masks), "masks.safetensors differs from the undisturbed run");
        Assert.True(reference.Weights.AsSpan().SequenceEqual(weights), "model.safetensors differs from the undisturbed run");
    }

    static async Task<RunFailed> WaitForFailure(FaultCluster cluster, Guid runId)
    {
        var stream = await cluster.WaitAsync(runId, s => s.Count > 0 && s[^1].Data is RunFailed or RunCompleted);
        return Assert.IsType<RunFailed>(stream[^1].Data);
    }

    static async Task<Dictionary<string, byte[]>> Snapshot(FaultCluster cluster)
    {
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var key in await cluster.Artifacts.ListAsync(""))
        {
            await using var s = await cluster.Artifacts.OpenReadAsync(key);
            using var ms = new MemoryStream();
            await s.CopyToAsync(ms);
            result[key] = ms.ToArray();
        }
        return result;
    }

    void Servers(params string[] args)
    {
        var info = new ProcessStartInfo("bash", [Path.Combine(RepoPaths.Root(), "scripts", "servers.sh"), .. args])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        // The servers' state folder is the one holding the env file the test environment came from (a test run does
        // not inherit PRUNE_SERVERS_DIR from the shell that started the servers).
        info.Environment["PRUNE_SERVERS_DIR"] = Path.GetDirectoryName(TestServers.Require("PRUNE_TEST_ENV_FILE"));
        using var p = Process.Start(info)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        output.WriteLine($"servers.sh {string.Join(' ', args)}: exit {p.ExitCode} {err.Trim()}");
        Assert.Equal(0, p.ExitCode);
    }
}
