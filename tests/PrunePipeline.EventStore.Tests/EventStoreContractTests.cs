using System.Text.Json;
using PrunePipeline.Contracts;
using Xunit.Abstractions;

namespace PrunePipeline.EventStore.Tests;

/// <summary>The behaviour every <see cref="IEventStore"/> must have; run once per implementation.</summary>
public abstract partial class EventStoreContractTests
{
    protected abstract IEventStore Store { get; }

    /// <summary>A second store on the same database (another process, as far as the store can tell).</summary>
    protected abstract IEventStore OpenAnother(EventTypeRegistry? registry = null, IRunSummaryProjection? projection = null);

    /// <summary>Where the concurrency tests print their figures.</summary>
    protected abstract ITestOutputHelper Output { get; }

    /// <summary>The stored summary equals the projection of a fresh read of the stream (perplexities by content).</summary>
    async Task AssertSummaryIsAFreshFold(Guid run)
    {
        var fresh = new RunSummaryProjection().Project(await Store.ReadStreamAsync(run));
        var stored = await Store.GetRunAsync(run);
        Assert.NotNull(fresh);
        Assert.NotNull(stored);
        Assert.Equal(fresh.Perplexities.OrderBy(p => p.Key), stored.Perplexities.OrderBy(p => p.Key));
        Assert.Equal(fresh with { Perplexities = stored.Perplexities }, stored);
    }

    [Fact]
    public async Task Appended_events_read_back_in_order_with_aliases_and_data()
    {
        var run = Guid.NewGuid();
        var result = await Store.AppendAsync(run, StreamTypes.Run, ExpectedVersion.NoStream,
            Events.Wrap(Events.Requested(run), Events.Pruned(run, 0, "model.layers.0.self_attn.q_proj.weight")));
        Assert.Equal(new AppendResult(1, 2, false), result);

        var events = await Store.ReadStreamAsync(run);
        Assert.Equal([1L, 2L], events.Select(e => e.Version));
        Assert.Equal(["prune_requested", "layer_pruned"], events.Select(e => e.Type));
        var requested = Assert.IsType<PruneRequested>(events[0].Data);
        Assert.Equal("prox", requested.Method.Method);
        Assert.Equal(0.02, requested.Method.Lambda0);
        Assert.Equal("/data/wiki.test.raw", requested.Evaluation.Datasets["wikitext2"]);
        Assert.Equal(Events.Pruned(run, 0, "model.layers.0.self_attn.q_proj.weight"), events[1].Data);
        Assert.All(events, e => Assert.Equal(run, e.StreamId));
        Assert.True(events[0].Sequence < events[1].Sequence);
        Assert.InRange(events[0].Timestamp, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(2, await Store.GetStreamVersionAsync(run));
        Assert.Single(await Store.ReadStreamAsync(run, fromVersion: 2));
    }

    [Fact]
    public async Task A_missing_stream_reads_empty_at_version_zero()
    {
        Assert.Empty(await Store.ReadStreamAsync(Guid.NewGuid()));
        Assert.Equal(0, await Store.GetStreamVersionAsync(Guid.NewGuid()));
        Assert.Null(await Store.GetRunAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task A_stale_expected_version_is_a_concurrency_conflict()
    {
        var run = Guid.NewGuid();
        await Store.AppendAsync(run, StreamTypes.Run, 0, Events.Wrap(Events.Requested(run)));
        var e = await Assert.ThrowsAsync<ConcurrencyException>(() => Store.AppendAsync(run, StreamTypes.Run, 0, Events.Wrap(Events.Requested(run))));
        Assert.Equal((0L, 1L), (e.ExpectedVersion, e.ActualVersion));
        await Assert.ThrowsAsync<ConcurrencyException>(() => Store.AppendAsync(run, StreamTypes.Run, 5, Events.Wrap(Events.Evaluated(run, 3))));
        Assert.Equal(1, await Store.GetStreamVersionAsync(run));
    }

    [Fact]
    public async Task A_redelivered_message_appends_nothing_twice()
    {
        var run = Guid.NewGuid();
        var message = Guid.NewGuid();
        await Store.AppendAsync(run, StreamTypes.Run, 0, Events.Wrap(Events.Requested(run)));
        var first = await Store.AppendAsync(run, StreamTypes.Run, 1, Events.Wrap(Events.Pruned(run, 0, "a"), Events.Pruned(run, 0, "b")), message);
        await Store.AppendAsync(run, StreamTypes.Run, 3, Events.Wrap(Events.Pruned(run, 0, "c")));

        // The redelivery carries a stale expected version: still a success, and nothing new is stored.
        var again = await Store.AppendAsync(run, StreamTypes.Run, 1, Events.Wrap(Events.Pruned(run, 0, "a"), Events.Pruned(run, 0, "b")), message);
        Assert.Equal(new AppendResult(2, 3, false), first);
        Assert.Equal(new AppendResult(2, 3, true), again);
        var via = await OpenAnother().AppendAsync(run, StreamTypes.Run, ExpectedVersion.Any, Events.Wrap(Events.Pruned(run, 0, "a"), Events.Pruned(run, 0, "b")), message);
        Assert.True(via.Duplicate);

        var events = await Store.ReadStreamAsync(run);
        Assert.Equal(4, events.Count);
        Assert.Equal(EventIds.Derive(message, run, 0), events[1].Id);
        Assert.Equal(message, events[1].CausationId);
        Assert.Equal(3, (await Store.GetRunAsync(run))!.LayersPruned);
    }

    [Fact]
    public async Task The_same_causation_on_another_stream_is_not_a_duplicate()
    {
        var message = Guid.NewGuid();
        Guid a = Guid.NewGuid(), b = Guid.NewGuid();
        Assert.False((await Store.AppendAsync(a, StreamTypes.Run, 0, Events.Wrap(Events.Requested(a)), message)).Duplicate);
        Assert.False((await Store.AppendAsync(b, StreamTypes.Run, 0, Events.Wrap(Events.Requested(b)), message)).Duplicate);
    }

    [Fact]
    public async Task Expected_version_any_appends_after_whatever_is_there()
    {
        var run = Guid.NewGuid();
        await Store.AppendAsync(run, StreamTypes.Run, ExpectedVersion.Any, Events.Wrap(Events.Requested(run)));
        var r = await Store.AppendAsync(run, StreamTypes.Run, ExpectedVersion.Any, Events.Wrap(Events.Pruned(run, 0, "x")));
        Assert.Equal(new AppendResult(2, 2, false), r);
    }

    [Fact]
    public async Task Read_all_returns_every_stream_in_sequence_order_after_a_position()
    {
        var start = (await Store.ReadAllAsync(0, 100_000)).LastOrDefault()?.Sequence ?? 0;
        Guid a = Guid.NewGuid(), b = Guid.NewGuid();
        await Store.AppendAsync(a, StreamTypes.Run, 0, Events.Wrap(Events.Requested(a)));
        await Store.AppendAsync(b, StreamTypes.Run, 0, Events.Wrap(Events.Requested(b)));
        await Store.AppendAsync(a, StreamTypes.Run, 1, Events.Wrap(Events.Pruned(a, 0, "x"), Events.Pruned(a, 0, "y")));

        var all = await Store.ReadAllAsync(start);
        Assert.Equal([a, b, a, a], all.Select(e => e.StreamId));
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence));
        Assert.Equal(2, (await Store.ReadAllAsync(start, maxCount: 2)).Count);
        Assert.Equal(2, (await Store.ReadAllAsync(all[1].Sequence)).Count);
    }

    [Fact]
    public async Task Following_sees_events_appended_later()
    {
        var start = (await Store.ReadAllAsync(0, 100_000)).LastOrDefault()?.Sequence ?? 0;
        var run = Guid.NewGuid();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var seen = new List<string>();
        var follower = Task.Run(async () =>
        {
            await foreach (var e in OpenAnother().FollowStreamAsync(run, 1, TimeSpan.FromMilliseconds(20), e => e.Data is RunCompleted, cts.Token))
                seen.Add(e.Type);
        });
        await Store.AppendAsync(run, StreamTypes.Run, 0, Events.Wrap(Events.Requested(run)));
        await Task.Delay(100);
        await Store.AppendAsync(run, StreamTypes.Run, 1, Events.Wrap(Events.Pruned(run, 0, "x")));
        await Store.AppendAsync(run, StreamTypes.Run, 2, Events.Wrap(new RunCompleted(run, $"models/{run}", [], 1)));
        await follower;
        Assert.Equal(["prune_requested", "layer_pruned", "run_completed"], seen);

        var all = new List<StoredEvent>();
        using var quick = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await foreach (var e in Store.FollowAllAsync(start, TimeSpan.FromMilliseconds(20), quick.Token)) all.Add(e);
        Assert.Equal(3, all.Count(e => e.StreamId == run));
    }

    [Fact]
    public async Task The_run_summary_follows_the_events()
    {
        var run = Guid.NewGuid();
        await Store.AppendAsync(run, StreamTypes.Run, 0, Events.Wrap(Events.Requested(run, "wanda")));
        var s = await Store.GetRunAsync(run);
        Assert.Equal((RunStatuses.Running, "wanda", PipelineStages.Requested, 1L), (s!.Status, s.Method, s.Stage, s.Version));

        await Store.AppendAsync(run, StreamTypes.Run, 1, Events.Wrap(
            new BlockCalibrated(run, 0, "ck", new Dictionary<string, string> { ["attn_in"] = "hessians/ck/0/attn_in.bin" }, null, null, 2048, 1, false),
            Events.Pruned(run, 0, "q"), Events.Pruned(run, 0, "k")));
        s = await Store.GetRunAsync(run);
        Assert.Equal((PipelineStages.Prune, 2, 4L), (s!.Stage, s.LayersPruned, s.Version));

        await Store.AppendAsync(run, StreamTypes.Run, 4, Events.Wrap(Events.Evaluated(run, 12.5),
            new RunCompleted(run, $"models/{run}", [new DatasetPerplexity("c4", 20.25, 256, "c4-first-256", 65536, 256)], 9)));
        s = await Store.GetRunAsync(run);
        Assert.Equal(RunStatuses.Completed, s!.Status);
        Assert.Equal(new Dictionary<string, double> { ["wikitext2"] = 12.5, ["c4"] = 20.25 }, s.Perplexities);
        Assert.True(s.Updated >= s.Created);
        await AssertSummaryIsAFreshFold(run);

        var failed = Guid.NewGuid();
        await Store.AppendAsync(failed, StreamTypes.Run, 0, Events.Wrap(Events.Requested(failed), new RunFailed(failed, PipelineStages.Calibrate, "file '/x' not found")));
        s = await Store.GetRunAsync(failed);
        Assert.Equal((RunStatuses.Failed, PipelineStages.Calibrate, "file '/x' not found"), (s!.Status, s.Stage, s.FailureReason));
        await AssertSummaryIsAFreshFold(failed);
    }

    [Fact]
    public async Task Summary_and_events_commit_together_or_not_at_all()
    {
        var run = Guid.NewGuid();
        await Store.AppendAsync(run, StreamTypes.Run, 0, Events.Wrap(Events.Requested(run)));
        var broken = OpenAnother(projection: new ThrowingProjection());
        await Assert.ThrowsAsync<InvalidOperationException>(() => broken.AppendAsync(run, StreamTypes.Run, 1, Events.Wrap(Events.Pruned(run, 0, "x"))));
        Assert.Equal(1, await Store.GetStreamVersionAsync(run));
        Assert.Single(await Store.ReadStreamAsync(run));
        Assert.Equal(1, (await Store.GetRunAsync(run))!.Version);
    }

    [Fact]
    public async Task Other_stream_types_get_no_run_summary()
    {
        var id = Guid.NewGuid();
        await Store.AppendAsync(id, "other", 0, Events.Wrap(Events.Requested(id)));
        Assert.Null(await Store.GetRunAsync(id));
    }

    [Fact]
    public async Task Runs_are_listed_newest_first()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var run = Guid.NewGuid();
            ids.Add(run);
            await Store.AppendAsync(run, StreamTypes.Run, 0, Events.Wrap(Events.Requested(run)));
            await Task.Delay(5);
        }
        var listed = (await Store.ListRunsAsync(1000)).Select(r => r.RunId).Where(ids.Contains).ToList();
        Assert.Equal(ids.AsEnumerable().Reverse(), listed);
        Assert.Single(await Store.ListRunsAsync(1));
    }

    [Fact]
    public async Task Unknown_aliases_read_as_json_and_unregistered_types_are_refused()
    {
        var run = Guid.NewGuid();
        await Store.AppendAsync(run, StreamTypes.Run, 0, Events.Wrap(Events.Requested(run)));
        var older = OpenAnother(registry: new EventTypeRegistry().Register<RunFailed>("run_failed"));
        var e = Assert.Single(await older.ReadStreamAsync(run));
        var json = Assert.IsType<JsonElement>(e.Data);
        Assert.Equal("prox", json.GetProperty("method").GetProperty("method").GetString());

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendAsync(run, StreamTypes.Run, 1, Events.Wrap(new Uri("http://x"))));
        Assert.Contains("System.Uri", refused.Message);
    }

    [Fact]
    public async Task Schema_creation_is_idempotent_and_concurrent()
    {
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => OpenAnother().InitializeAsync())));
        await Store.InitializeAsync();
        await OpenAnother().InitializeAsync();
    }

    sealed class ThrowingProjection : IRunSummaryProjection
    {
        public RunSummary? Project(IReadOnlyList<StoredEvent> stream) =>
            stream[^1].Data is LayerPruned ? throw new InvalidOperationException("projection failed") : new RunSummaryProjection().Project(stream);

        public RunSummary Summarise(RunState state, DateTimeOffset created, DateTimeOffset updated) =>
            state.Pruned.Count > 0 ? throw new InvalidOperationException("projection failed") : RunSummary.Of(state, created, updated);
    }
}
