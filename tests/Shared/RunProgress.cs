using System.Diagnostics;
using System.Text.Json;
using PrunePipeline.Contracts;
using PrunePipeline.EventStore;

namespace PrunePipeline.Tests;

/// <summary>Waits for a run to end by watching its progress, never on a total deadline: a loaded machine makes a run
/// slow, not stuck. Fails when no new event has arrived for <c>idle</c>, printing the last event (and what the caller
/// adds, e.g. the service processes' output).</summary>
internal static class RunProgress
{
    public static readonly TimeSpan DefaultIdle = TimeSpan.FromSeconds(300);

    public static async Task<List<StoredEvent>> UntilEndAsync(IEventStore store, Guid runId, TimeSpan? idle = null, Func<string>? diagnostics = null)
    {
        var limit = idle ?? DefaultIdle;
        var seen = new List<StoredEvent>();
        var quiet = Stopwatch.StartNew();
        while (true)
        {
            var batch = await store.ReadStreamAsync(runId, seen.Count == 0 ? 1 : seen[^1].Version + 1);
            if (batch.Count > 0)
            {
                quiet.Restart();
                foreach (var e in batch)
                {
                    seen.Add(e);
                    if (e.Data is RunCompleted or RunFailed) return seen;
                }
            }
            else if (quiet.Elapsed > limit)
            {
                var last = seen.Count == 0 ? "none (the run was never recorded)" : $"v{seen[^1].Version} {seen[^1].Type} {JsonSerializer.Serialize(seen[^1].Data)}";
                Assert.Fail($"run {runId}: no new event for {limit.TotalSeconds:F0} s after {seen.Count} events; last event: {last}" +
                            (diagnostics is null ? "" : "\n" + diagnostics()));
            }
            await Task.Delay(100);
        }
    }
}
