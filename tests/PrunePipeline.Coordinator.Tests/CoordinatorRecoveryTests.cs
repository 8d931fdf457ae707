using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using PrunePipeline.Contracts;
using PrunePipeline.EventStore;
using PrunePipeline.Model;
using PrunePipeline.ServiceDefaults;
using PrunePipeline.ServiceDefaults.Configuration;

namespace PrunePipeline.Coordinator.Tests;

/// <summary>What keeps a run going when the coordinator is restarted or races another coordinator.</summary>
public sealed class CoordinatorRecoveryTests
{
    static PruneRequested Request(Guid run) => new(run, PipelineTestData.Stories260K,
        new CalibrationSettings(PipelineTestData.C4Calibration, Samplers.Packed, 2, 16, 0), PruneMode.Sequential,
        new PruneMethodSettings("magnitude", "none"), new EvaluationSettings(new Dictionary<string, string>()));

    static BlockCalibrated Calibrated(Guid run, string key) => new(run, 0, key,
        new Dictionary<string, string> { ["attn_in"] = "a", ["o_in"] = "o", ["mlp_in"] = "m", ["down_in"] = "d" }, "in0", null, 32, 0.1, false);

    static LayerPruned Pruned(Guid run, string name) =>
        new(run, 0, LlamaTensorNames.Layer(0, name), 1, 0, 0, 0.1, $"masks/{name}", $"weights/{name}");

    [Fact]
    public async Task A_restarted_coordinator_re_sends_exactly_what_unfinished_runs_wait_for()
    {
        var dir = PipelineTestData.TempDir("resume");
        var options = PipelineTestData.EmbeddedOptions(dir);
        var services = new ServiceCollection().AddLogging();
        services.AddPipelineCore(options, "coordinator");
        services.AddMassTransitTestHarness(x => x.AddCoordinator());
        await using var provider = services.BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        var coordinator = provider.GetRequiredService<RunCoordinator>();
        // harness.Start() starts the hosted services too, this resumer among them: its first pass (over an empty store)
        // must be over before the history below is written, or, running late on a loaded machine, it resumes that run
        // itself (seen once in CI: a PruneLayer published before the test's own start-up).
        var resumer = provider.GetServices<IHostedService>().OfType<RunResumer>().Single();
        if (resumer.ExecuteTask is { } firstPass) await firstPass;

        // What the previous coordinator process left: a run with block 0 calibrated and 2 of its 7 layers pruned …
        var run = Guid.NewGuid();
        var calibrate = Assert.IsType<CalibrateBlock>(Assert.Single(await coordinator.RecordAsync(run, Request(run), Guid.NewGuid(), default)).Message);
        await coordinator.RecordAsync(run, Calibrated(run, calibrate.CalibrationKey), Guid.NewGuid(), default);
        foreach (var name in DecoderBlockWeights.LinearNames.Take(2)) await coordinator.RecordAsync(run, Pruned(run, name), Guid.NewGuid(), default);
        // … and a run that failed, which must stay stopped.
        var failed = Guid.NewGuid();
        await coordinator.RecordAsync(failed, Request(failed), Guid.NewGuid(), default);
        await coordinator.RecordAsync(failed, new RunFailed(failed, PipelineStages.Calibrate, "bad file"), Guid.NewGuid(), default);
        Assert.False(await harness.Published.Any<PruneLayer>()); // nothing was sent yet: the old process "died" first

        // Start-up of the new process: its resumer runs once.
        await resumer.StartAsync(default);
        await resumer.ExecuteTask!;

        // The harness records published messages as its observers see them, which can lag the resumer's return on a
        // loaded machine: wait for the five expected (a sixth would still be caught by the count below).
        var expected = DecoderBlockWeights.LinearNames.Count - 2;
        await foreach (var _ in System.Linq.AsyncEnumerable.Take(harness.Published.SelectAsync<PruneLayer>(m => m.Context.Message.RunId == run), expected)) { }
        var sent = harness.Published.Select<PruneLayer>().Select(m => m.Context).Where(c => c.Message.RunId == run).ToList();
        Assert.Equal(DecoderBlockWeights.LinearNames.Skip(2).Select(n => LlamaTensorNames.Layer(0, n)).Order(),
            sent.Select(c => c.Message.Layer).Order());
        // The same ids as the first sending, so workers and the store recognise a command sent twice.
        Assert.All(sent, c => Assert.Equal(MessageIds.Command(run, "prune/" + c.Message.Layer), c.MessageId));
        Assert.False(await harness.Published.Any<CalibrateBlock>(m => m.Context.Message.RunId == failed));
        await harness.Stop();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task A_conflicting_append_is_retried_on_the_new_stream_and_the_transition_is_seen_once()
    {
        var dir = PipelineTestData.TempDir("conflict");
        var sqlite = new SqliteEventStore(Path.Combine(dir, "events.db"));
        await sqlite.InitializeAsync();
        var run = Guid.NewGuid();
        var plain = new RunCoordinator(sqlite, new ModelTopologies(), NullLogger<RunCoordinator>.Instance);
        var calibrate = Assert.IsType<CalibrateBlock>(Assert.Single(await plain.RecordAsync(run, Request(run), Guid.NewGuid(), default)).Message);
        await plain.RecordAsync(run, Calibrated(run, calibrate.CalibrationKey), Guid.NewGuid(), default);
        var names = DecoderBlockWeights.LinearNames;
        foreach (var name in names.Take(5)) await plain.RecordAsync(run, Pruned(run, name), Guid.NewGuid(), default);

        // Another coordinator appends the 6th layer between our read and our append of the 7th.
        var racing = new InterleavingEventStore(sqlite, run, Pruned(run, names[5]));
        var coordinator = new RunCoordinator(racing, new ModelTopologies(), NullLogger<RunCoordinator>.Instance);
        var planned = await coordinator.RecordAsync(run, Pruned(run, names[6]), Guid.NewGuid(), default);

        Assert.Equal(1, racing.Conflicts);
        var stream = await sqlite.ReadStreamAsync(run);
        Assert.Equal(Enumerable.Range(1, stream.Count).Select(v => (long)v), stream.Select(e => e.Version));
        Assert.Equal(7, stream.Count(e => e.Data is LayerPruned));
        // Our append completed the block (re-folded after the conflict), so WE send block 1's calibration, once.
        var next = Assert.IsType<CalibrateBlock>(Assert.Single(planned).Message);
        Assert.Equal(1, next.Block);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
