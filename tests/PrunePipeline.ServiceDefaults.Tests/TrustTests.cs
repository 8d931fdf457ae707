using Microsoft.Extensions.Logging.Abstractions;
using PrunePipeline.Artifacts;
using PrunePipeline.Contracts;
using PrunePipeline.EventStore;
using PrunePipeline.Errors;
using PrunePipeline.ServiceDefaults.Configuration;
using PrunePipeline.ServiceDefaults.Trust;

namespace PrunePipeline.ServiceDefaults.Tests;

/// <summary>The run guard (workers act only on pending commands of running runs), write-once artifacts and bounded
/// failure reasons.</summary>
public sealed class TrustTests : IDisposable
{
    readonly string _dir = PipelineTestData.TempDir("trust");

    PruneRequested Request(Guid run) => new(run, PipelineTestData.Stories260K,
        new CalibrationSettings(PipelineTestData.C4Calibration, Samplers.Packed, 2, 16, 0), PruneMode.OneShot,
        new PruneMethodSettings("magnitude", "none"), new EvaluationSettings(new Dictionary<string, string>()));

    async Task<(SqliteEventStore Store, RunGuard Guard)> Guard(string? modelsRoot)
    {
        var store = new SqliteEventStore(Path.Combine(_dir, "events.db"));
        await store.InitializeAsync();
        var roots = new PathRoots(new PipelineOptions
        {
            Mode = PipelineMode.Distributed,
            Roots = new RootsOptions { Models = modelsRoot, Data = Path.GetDirectoryName(PipelineTestData.C4Calibration) },
        });
        return (store, new RunGuard(store, roots, NullLogger<RunGuard>.Instance));
    }

    static Task Append(IEventStore store, Guid run, long expected, params object[] events) =>
        store.AppendAsync(run, StreamTypes.Run, expected, [.. events.Select(e => new EventToAppend(e))], Guid.NewGuid());

    static LayerPruned Pruned(Guid run, string layer) => new(run, 0, layer, 1, 1, 0, 0, "m", "w", "test", 0.5, false, 0.01);

    [Fact]
    public async Task Unknown_finished_recorded_and_foreign_commands_are_refused_pending_ones_admitted()
    {
        var (store, guard) = await Guard(Path.GetDirectoryName(PipelineTestData.Stories260K));
        var run = Guid.NewGuid();
        var model = PipelineTestData.Stories260K;
        const string layer = "model.layers.0.self_attn.q_proj.weight";
        Func<RunState, bool> recorded = s => s.Pruned.ContainsKey(layer);

        Assert.False(await guard.AdmitAsync(run, "prune", recorded, model, [], default)); // unknown run
        await Append(store, run, ExpectedVersion.NoStream, Request(run));
        Assert.True(await guard.AdmitAsync(run, "prune", recorded, model, [], default));
        Assert.False(await guard.AdmitAsync(run, "prune", recorded, "/etc", [], default)); // not the run's model
        Assert.False(await guard.AdmitAsync(run, "calibrate", _ => false, model, ["/etc/shadow"], default)); // not the run's data
        Assert.True(await guard.AdmitAsync(run, "calibrate", _ => false, model, [PipelineTestData.C4Calibration], default));

        await Append(store, run, 1, Pruned(run, layer));
        Assert.False(await guard.AdmitAsync(run, "prune", recorded, model, [], default)); // result recorded: skipped
        Assert.True(await guard.AdmitAsync(run, "prune k_proj", s => s.Pruned.ContainsKey("k"), model, [], default));

        await Append(store, run, 2, new RunFailed(run, PipelineStages.Prune, "stopped"));
        Assert.False(await guard.AdmitAsync(run, "prune k_proj", s => s.Pruned.ContainsKey("k"), model, [], default)); // finished
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task The_runs_own_model_outside_this_workers_roots_fails_loudly()
    {
        var (store, guard) = await Guard(_dir); // the model is not under this worker's models root
        var run = Guid.NewGuid();
        await Append(store, run, ExpectedVersion.NoStream, Request(run));
        var e = await Assert.ThrowsAsync<PathOutsideRootsException>(() =>
            guard.AdmitAsync(run, "prune", _ => false, PipelineTestData.Stories260K, [], default));
        Assert.Contains("Pipeline:Roots:Models", e.Message);
        Assert.True(StageFailure.IsBadInput(e)); // a BadInputException: the run fails naming the path, no retries
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task Artifacts_are_write_once_same_content_is_a_no_op_other_content_is_refused()
    {
        var store = new FolderArtifactStore(Path.Combine(_dir, "artifacts"));
        float[] w = [1, 2, 3, 4, 5, 6];
        Assert.True(await store.PutFloatsOnceAsync("weights/r/l.bin", w, [2, 3], default));
        Assert.False(await store.PutFloatsOnceAsync("weights/r/l.bin", w, [2, 3], default));
        var e = await Assert.ThrowsAsync<WriteOnceConflictException>(() => store.PutFloatsOnceAsync("weights/r/l.bin", [1, 2, 3, 4, 5, 7], [2, 3], default));
        Assert.Contains("weights/r/l.bin", e.Message);
        Assert.True(StageFailure.IsBadInput(e)); // the stage fails with the key instead of being retried
        Assert.Equal(w, await store.GetFloatsAsync("weights/r/l.bin", [2, 3]));

        byte[] mask = [1, 1, 0, 0, 0, 1, 1, 0];
        Assert.True(await store.PutMaskOnceAsync("masks/r/l.mask", mask, 2, 4, default));
        Assert.False(await store.PutMaskOnceAsync("masks/r/l.mask", mask, 2, 4, default));
        await Assert.ThrowsAsync<WriteOnceConflictException>(() => store.PutMaskOnceAsync("masks/r/l.mask", [0, 0, 1, 1, 0, 1, 1, 0], 2, 4, default));
        Assert.Equal(mask, await store.GetMaskAsync("masks/r/l.mask", 2, 4, default));
    }

    [Fact]
    public async Task A_stored_stage_result_round_trips_and_is_absent_before_the_work_is_done()
    {
        var store = new FolderArtifactStore(Path.Combine(_dir, "artifacts"));
        var run = Guid.NewGuid();
        var key = StageResults.Key(run, "prune", "model.layers.0.mlp.up_proj.weight");
        Assert.Null(await StageResults.TryGetAsync<LayerPruned>(store, key, default));
        var result = Pruned(run, "model.layers.0.mlp.up_proj.weight") with { Loss = 0.125, Iterations = 17 };
        await StageResults.PutAsync(store, key, result, default);
        var back = await StageResults.TryGetAsync<LayerPruned>(store, key, default);
        Assert.Equal((result.Layer, result.Loss, result.Iterations, result.MaskKey, result.Worker), (back!.Layer, back.Loss, back.Iterations, back.MaskKey, back.Worker));
    }

    [Fact]
    public void Failure_reasons_are_one_bounded_line()
    {
        var huge = "line one\nline two\t" + new string('x', 100_000);
        var bounded = FailureReasons.Bound(huge, 100);
        Assert.StartsWith("line one line two ", bounded);
        Assert.Contains($"({huge.Length - 100} more characters not stored)", bounded);
        Assert.True(bounded.Length < 160);
        Assert.DoesNotContain('\n', bounded);
        Assert.Equal("short", FailureReasons.Bound("short", 100));
    }

    public void Dispose() => Directory.Delete(_dir, true);
}
