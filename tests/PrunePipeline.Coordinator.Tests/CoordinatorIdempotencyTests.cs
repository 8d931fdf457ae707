using Microsoft.Extensions.Logging.Abstractions;
using PrunePipeline.Contracts;
using PrunePipeline.EventStore;
using PrunePipeline.Coordinator;

namespace PrunePipeline.Coordinator.Tests;

/// <summary>Redelivery of the same message appends one event and re-sends the same (deterministic) commands.</summary>
public sealed class CoordinatorIdempotencyTests
{
    [Fact]
    public async Task The_same_event_twice_is_appended_once()
    {
        var dir = PipelineTestData.TempDir("idem");
        var store = new SqliteEventStore(Path.Combine(dir, "events.db"));
        await store.InitializeAsync();
        var coordinator = new RunCoordinator(store, new ModelTopologies(), NullLogger<RunCoordinator>.Instance);
        var run = Guid.NewGuid();
        var request = new PruneRequested(run, PipelineTestData.Stories260K,
            new CalibrationSettings(PipelineTestData.C4Calibration, Samplers.Packed, 2, 16, 0), PruneMode.Sequential,
            new PruneMethodSettings("magnitude", "none"), new EvaluationSettings(new Dictionary<string, string>()));
        var first = await coordinator.RecordAsync(run, request, Guid.NewGuid(), default);
        var calibrate = Assert.IsType<CalibrateBlock>(Assert.Single(first).Message);

        var calibrated = new BlockCalibrated(run, 0, calibrate.CalibrationKey, new Dictionary<string, string>
            { ["attn_in"] = "a", ["o_in"] = "o", ["mlp_in"] = "m", ["down_in"] = "d" }, "in0", null, 32, 0.1, false);
        var message = Guid.NewGuid();
        var once = await coordinator.RecordAsync(run, calibrated, message, default);
        var twice = await coordinator.RecordAsync(run, calibrated, message, default);

        Assert.Equal(2, (await store.ReadStreamAsync(run)).Count);
        Assert.Equal(7, once.Count);
        Assert.Equal(once.Select(p => p.Id), twice.Select(p => p.Id));

        // A second request for the same run (another message) starts nothing.
        Assert.Empty(await coordinator.RecordAsync(run, request, Guid.NewGuid(), default));
        Assert.Equal(2, (await store.ReadStreamAsync(run)).Count);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
