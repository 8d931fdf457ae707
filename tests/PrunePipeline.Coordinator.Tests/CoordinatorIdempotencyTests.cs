using Microsoft.Extensions.Logging.Abstractions;
using PrunePipeline.Contracts;
using PrunePipeline.EventStore;
using PrunePipeline.Coordinator;

namespace PrunePipeline.Coordinator.Tests;

/// <summary>Redelivery of the same message appends one event and sends its commands once (fan-out once per state
/// transition): a duplicate BlockCalibrated used to re-fan-out its block, so after a restart the rest of the run was
/// done twice.</summary>
public sealed class CoordinatorIdempotencyTests
{
    [Fact]
    public async Task The_same_event_twice_is_appended_once()
    {
        var (store, coordinator) = await Coordinator("idem");
        var run = Guid.NewGuid();
        var request = Request(run, PruneMode.Sequential);
        var first = await coordinator.RecordAsync(run, request, Guid.NewGuid(), default);
        var calibrate = Assert.IsType<CalibrateBlock>(Assert.Single(first).Message);

        var calibrated = new BlockCalibrated(run, 0, calibrate.CalibrationKey, new Dictionary<string, string>
            { ["attn_in"] = "a", ["o_in"] = "o", ["mlp_in"] = "m", ["down_in"] = "d" }, "in0", null, 32, 0.1, false);
        var message = Guid.NewGuid();
        var bus = RecordingPublisher.Create(failFirst: 0);
        await coordinator.RecordAndSendAsync(bus, run, calibrated, message, default);
        Assert.Equal(7, RecordingPublisher.Of(bus).Published.Count);
        await coordinator.RecordAndSendAsync(bus, run, calibrated, message, default); // the redelivery
        Assert.Equal(2, (await store.ReadStreamAsync(run)).Count);
        Assert.Equal(7, RecordingPublisher.Of(bus).Published.Count); // no second fan-out

        // A second request for the same run (another message) starts nothing.
        Assert.Empty(await coordinator.RecordAsync(run, request, Guid.NewGuid(), default));
        Assert.Equal(2, (await store.ReadStreamAsync(run)).Count);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task A_duplicate_re_sends_only_what_this_process_failed_to_send()
    {
        var (store, coordinator) = await Coordinator("idem-retry");
        var run = Guid.NewGuid();
        var request = Request(run, PruneMode.OneShot);
        var bus = RecordingPublisher.Create(failFirst: 1);
        var causation = Guid.NewGuid();
        // The broker fails the first publish: the consumer's retry (a duplicate append) must still send the command.
        await Assert.ThrowsAsync<IOException>(() => coordinator.RecordAndSendAsync(bus, run, request, causation, default));
        await coordinator.RecordAndSendAsync(bus, run, request, causation, default);
        Assert.IsType<CalibrateBlock>(Assert.Single(RecordingPublisher.Of(bus).Published));
        // Once sent, a further redelivery sends nothing.
        await coordinator.RecordAndSendAsync(bus, run, request, causation, default);
        Assert.Single(RecordingPublisher.Of(bus).Published);
        Assert.Single(await store.ReadStreamAsync(run));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    static async Task<(SqliteEventStore, RunCoordinator)> Coordinator(string name)
    {
        var store = new SqliteEventStore(Path.Combine(PipelineTestData.TempDir(name), "events.db"));
        await store.InitializeAsync();
        return (store, new RunCoordinator(store, new ModelTopologies(), NullLogger<RunCoordinator>.Instance));
    }

    static PruneRequested Request(Guid run, PruneMode mode) => new(run, PipelineTestData.Stories260K,
        new CalibrationSettings(PipelineTestData.C4Calibration, Samplers.Packed, 2, 16, 0), mode,
        new PruneMethodSettings("magnitude", "none"), new EvaluationSettings(new Dictionary<string, string>()));
}
