using System.Diagnostics;
using PrunePipeline.Contracts;

namespace PrunePipeline.EventStore.Tests;

/// <summary>The contract under concurrency: several writers, processes and a follower on one store.</summary>
public abstract partial class EventStoreContractTests
{
    /// <summary>Reads the stream's version and appends there, retrying on conflict (what the coordinator does) at most
    /// <paramref name="maxConflicts"/> times; returns the number of conflicts retried.</summary>
    static async Task<int> AppendRetryingConflicts(IEventStore store, Guid stream, object data, int maxConflicts)
    {
        for (var conflicts = 0; ; conflicts++)
        {
            try
            {
                await store.AppendAsync(stream, StreamTypes.Run, await store.GetStreamVersionAsync(stream), Events.Wrap(data));
                return conflicts;
            }
            catch (ConcurrencyException) when (conflicts < maxConflicts)
            {
                // Re-read and retry.
            }
        }
    }

    [Fact]
    public async Task Two_appends_at_the_same_expected_version_exactly_one_wins()
    {
        var other = OpenAnother();
        for (var round = 0; round < 10; round++)
        {
            var run = Guid.NewGuid();
            await Store.AppendAsync(run, StreamTypes.Run, 0, Events.Wrap(Events.Requested(run)));
            var a = Task.Run(() => Store.AppendAsync(run, StreamTypes.Run, 1, Events.Wrap(Events.Pruned(run, 0, "a"))));
            var b = Task.Run(() => other.AppendAsync(run, StreamTypes.Run, 1, Events.Wrap(Events.Pruned(run, 0, "b"))));
            var outcomes = await Task.WhenAll(Outcome(a), Outcome(b));
            Assert.Equal(1, outcomes.Count(o => o == "ok"));
            Assert.Equal(1, outcomes.Count(o => o == "conflict"));
            Assert.Equal(2, await Store.GetStreamVersionAsync(run));
            Assert.Equal(2, (await Store.ReadStreamAsync(run)).Count);
        }

        static async Task<string> Outcome(Task<AppendResult> t)
        {
            try { await t; return "ok"; }
            catch (ConcurrencyException) { return "conflict"; }
        }
    }

    [Fact]
    public async Task Concurrent_appenders_produce_a_gapless_stream()
    {
        var run = Guid.NewGuid();
        await Store.AppendAsync(run, StreamTypes.Run, 0, Events.Wrap(Events.Requested(run)));
        var stores = new[] { Store, OpenAnother(), OpenAnother() };
        const int tasks = 6, each = 8;
        await Task.WhenAll(Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++) await AppendRetryingConflicts(stores[t % stores.Length], run, Events.Pruned(run, t, $"model.layers.{t}.linear{i}.weight"), 1000);
        })));

        var events = await Store.ReadStreamAsync(run);
        Assert.Equal(Enumerable.Range(1, 1 + tasks * each).Select(v => (long)v), events.Select(e => e.Version));
        var layers = events.Skip(1).Select(e => (LayerPruned)e.Data).Select(p => $"{p.Block}/{p.Layer}").ToList();
        Assert.Equal(tasks * each, layers.Distinct().Count());
        var summary = await Store.GetRunAsync(run);
        Assert.Equal(tasks * each, summary!.LayersPruned);
        Assert.Equal(1 + tasks * each, summary.Version);
    }

    [Fact]
    public async Task Eight_writers_of_a_thousand_appends_get_unique_versions_and_summaries_equal_to_a_fresh_fold()
    {
        // Each writer appends to a random one of 8 runs, at the version it just read, retrying on conflict: the
        // coordinator's pattern under heavy contention. Eight runs rather than one keep each stream at ~1000 events,
        // so the figure is the store's and not the embedded store's whole-stream re-fold per append.
        const int writers = 8, each = 1000, runs = 8;
        var ids = Enumerable.Range(0, runs).Select(_ => Guid.NewGuid()).ToArray();
        foreach (var run in ids) await Store.AppendAsync(run, StreamTypes.Run, 0, Events.Wrap(Events.Requested(run)));
        var stores = Enumerable.Range(0, writers).Select(_ => OpenAnother()).ToArray();
        foreach (var s in stores) await s.InitializeAsync();
        var conflicts = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var i = 0; i < each; i++)
            {
                var run = ids[random.Next(runs)];
                // A few layer names only: the fold stays small.
                Interlocked.Add(ref conflicts, await AppendRetryingConflicts(stores[w], run, Events.Pruned(run, w, $"w{w}.l{i % 4}"), 100_000));
            }
        })));
        clock.Stop();
        Output.WriteLine($"{GetType().Name}: {writers} writers x {each} appends over {runs} runs (read version, append, retry on conflict): " +
                         $"{clock.Elapsed.TotalSeconds:F1} s, {writers * each / clock.Elapsed.TotalSeconds:F0} appends/s, {conflicts} conflicts retried");

        var total = 0;
        var perWriter = new int[writers];
        foreach (var run in ids)
        {
            var events = await Store.ReadStreamAsync(run);
            Assert.Equal(Enumerable.Range(1, events.Count).Select(v => (long)v), events.Select(e => e.Version));
            total += events.Count - 1;
            foreach (var e in events.Skip(1)) perWriter[((LayerPruned)e.Data).Block]++;
            await AssertSummaryIsAFreshFold(run);
            Assert.Equal(events.Count, (await Store.GetRunAsync(run))!.Version);
        }
        Assert.Equal(writers * each, total);
        Assert.All(perWriter, n => Assert.Equal(each, n));
    }

    [Fact]
    public async Task A_message_delivered_to_several_processes_at_once_appends_once()
    {
        var run = Guid.NewGuid();
        var message = Guid.NewGuid();
        await Store.AppendAsync(run, StreamTypes.Run, 0, Events.Wrap(Events.Requested(run)));
        var stores = Enumerable.Range(0, 4).Select(_ => OpenAnother()).ToArray();
        var results = await Task.WhenAll(stores.Select(s => Task.Run(async () =>
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return await s.AppendAsync(run, StreamTypes.Run, 1, Events.Wrap(Events.Pruned(run, 0, "a"), Events.Pruned(run, 0, "b")), message);
                }
                catch (ConcurrencyException) when (attempt < 10)
                {
                    // Lost the race before the winner's receipt was visible: a retry finds the receipt.
                }
            }
        })));
        Assert.Single(results, r => !r.Duplicate);
        Assert.All(results, r => Assert.Equal((2L, 3L), (r.FirstVersion, r.LastVersion)));
        Assert.Equal(3, (await Store.ReadStreamAsync(run)).Count);
        await AssertSummaryIsAFreshFold(run);
    }

    /// <summary>Can fail: with the Marten store's append lock taken out, the follower missed events in 2 runs of 2
    /// (sequence numbers handed out before commit, committed out of order).</summary>
    [Fact]
    public async Task Read_all_misses_nothing_while_many_writers_commit()
    {
        var start = (await Store.ReadAllAsync(0, 100_000)).LastOrDefault()?.Sequence ?? 0;
        const int writers = 8, each = 60;
        var appended = new System.Collections.Concurrent.ConcurrentBag<Guid>();
        var writing = Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            // One stream per writer: no version conflicts, so commits race each other as hard as they can.
            var store = OpenAnother();
            var run = Guid.NewGuid();
            for (var i = 0; i < each; i++)
            {
                var r = await store.AppendAsync(run, StreamTypes.Run, i, Events.Wrap(i == 0 ? Events.Requested(run) : Events.Pruned(run, w, $"l{i}")));
                foreach (var e in await store.ReadStreamAsync(run, r.FirstVersion)) appended.Add(e.Id);
            }
        })));

        // A follower polling as fast as it can, from the position before the writers started.
        var seen = new List<StoredEvent>();
        var follower = OpenAnother();
        var last = start;
        var quietSince = Stopwatch.StartNew();
        while (!(writing.IsCompleted && quietSince.Elapsed > TimeSpan.FromSeconds(2)))
        {
            var batch = await follower.ReadAllAsync(last, 1000);
            if (batch.Count > 0) quietSince.Restart();
            seen.AddRange(batch);
            last = batch.Count > 0 ? batch[^1].Sequence : last;
        }
        await writing;
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence));
        Assert.Equal(writers * each, appended.Count);
        Assert.Empty(appended.Except(seen.Select(e => e.Id)));
        Output.WriteLine($"{GetType().Name}: follower saw all {appended.Count} events of {writers} concurrent writers");
    }
}
