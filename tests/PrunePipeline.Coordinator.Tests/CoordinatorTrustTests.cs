using Microsoft.Extensions.Logging.Abstractions;
using PrunePipeline.Contracts;
using PrunePipeline.EventStore;
using PrunePipeline.ServiceDefaults.Configuration;
using PrunePipeline.ServiceDefaults.Trust;

namespace PrunePipeline.Coordinator.Tests;

/// <summary>The coordinator's share of the trust checks: a request's paths against the roots before its model is
/// opened, and bounded failure reasons.</summary>
public sealed class CoordinatorTrustTests : IDisposable
{
    readonly string _dir = PipelineTestData.TempDir("coordinator-trust");

    static PruneRequested Request(Guid run) => new(run, PipelineTestData.Stories260K,
        new CalibrationSettings(PipelineTestData.C4Calibration, Samplers.Packed, 2, 16, 0), PruneMode.OneShot,
        new PruneMethodSettings("magnitude", "none"), new EvaluationSettings(new Dictionary<string, string>()));

    static Task Append(IEventStore store, Guid run, long expected, params object[] events) =>
        store.AppendAsync(run, StreamTypes.Run, expected, [.. events.Select(e => new EventToAppend(e))], Guid.NewGuid());

    [Fact]
    public async Task The_coordinator_refuses_a_request_outside_the_roots_without_opening_its_model()
    {
        var store = new SqliteEventStore(Path.Combine(_dir, "events.db"));
        await store.InitializeAsync();
        var options = new PipelineOptions
        {
            Mode = PipelineMode.Distributed,
            Roots = new RootsOptions { Models = _dir, Data = _dir },
            Limits = new LimitsOptions { MaxReasonChars = 300 },
        };
        var coordinator = new RunCoordinator(store, new ModelTopologies(), NullLogger<RunCoordinator>.Instance,
            new PathRoots(options), options);
        var run = Guid.NewGuid();
        Assert.Empty(await coordinator.RecordAsync(run, Request(run), Guid.NewGuid(), default));
        var failed = Assert.IsType<RunFailed>((await store.ReadStreamAsync(run))[^1].Data);
        Assert.Contains("outside Pipeline:Roots:Models", failed.Reason);

        // A forged RunFailed's reason is stored bounded.
        var other = Guid.NewGuid();
        var inside = Request(other) with { ModelLocation = _dir, Calibration = Request(other).Calibration with { Path = Path.Combine(_dir, "x") } };
        await Append(store, other, ExpectedVersion.NoStream, inside);
        await coordinator.RecordAsync(other, new RunFailed(other, PipelineStages.Prune, new string('r', 50_000)), Guid.NewGuid(), default);
        Assert.True(Assert.IsType<RunFailed>((await store.ReadStreamAsync(other))[^1].Data).Reason.Length < 400);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    public void Dispose() => Directory.Delete(_dir, true);
}
