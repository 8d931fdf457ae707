using System.Globalization;
using PrunePipeline.Contracts;
using PrunePipeline.EventStore;

namespace PrunePipeline.Cli.Pipeline;

/// <summary>Follows a run's stream until RunCompleted / RunFailed, feeding each event with the run folded up to it
/// (<see cref="RunState"/>) to a callback; returns every event seen. Also the one line per event of run, watch, show.</summary>
internal static class RunFollower
{
    public static async Task<List<StoredEvent>> FollowAsync(IEventStore store, Guid runId, Action<StoredEvent, RunState?> onEvent, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        var seen = new List<StoredEvent>();
        RunState? state = null;
        await foreach (var e in store.FollowStreamAsync(runId, 1, TimeSpan.FromMilliseconds(100), e => e.Data is RunCompleted or RunFailed, cts.Token))
        {
            seen.Add(e);
            state = state is null ? RunState.Create(e.Data, e.Version) : RunState.Apply(state, e.Data, e.Version);
            onEvent(e, state);
        }
        ct.ThrowIfCancellationRequested();
        if (seen.Count == 0 || seen[^1].Data is not (RunCompleted or RunFailed))
            throw new TimeoutException($"run {runId} did not finish within {timeout.TotalSeconds:F0} s (see prunectl show {runId}).");
        return seen;
    }

    /// <summary>One human line per event; <paramref name="state"/> is the run folded up to and including it.</summary>
    public static string Describe(StoredEvent e, RunState? state)
    {
        var inv = CultureInfo.InvariantCulture;
        return e.Data switch
        {
            PruneRequested r => $"requested: {r.Method.Method}{(r.Method.Method == "prox" ? $" schedule={r.Method.Schedule}" : "")} refine={r.Method.Refine} {r.Mode.Name()} on {r.ModelLocation}",
            ReplayRequested r => $"replay of run {r.SourceRunId} from {r.FromStage}",
            BlockCalibrated b => b.Reused
                ? $"block {b.Block} calibrated: REUSED hessians/{b.CalibrationKey[..12]}…/{b.Block}/ ({b.Note ?? "already stored"})"
                : string.Format(inv, "block {0} calibrated in {1:F2} s by {2}", b.Block, b.Seconds, b.Worker),
            LayerPruned p => string.Format(inv, "{0} pruned: loss {1:G4}, {2} iters, {3:F2} s by {4}", p.Layer, p.Loss, p.Iterations, p.Seconds, p.Worker),
            LayerRefined r => string.Format(inv, "{0} refined: loss {1} → {2:G4}, {3:F2} s", r.Layer,
                state?.Pruned.GetValueOrDefault(r.Layer)?.Loss.ToString("G4", inv) ?? "?", r.Loss, r.Seconds),
            ModelAssembled a => string.Format(inv, "model assembled under {0} ({1:F2} s)", a.ModelPrefix, a.Seconds),
            FinetuneCheckpointed c => string.Format(inv, "finetune checkpoint after step {0}: loss {1:G4} ({2})", c.Step, c.Loss, c.Prefix),
            ModelFinetuned f => string.Format(inv, "model finetuned under {0}: {1} steps{2}, loss {3:G4} → {4:G4}, {5:F2} s by {6}", f.ModelPrefix, f.Steps,
                f.ResumedFromStep > 0 ? $" (resumed after step {f.ResumedFromStep})" : "", f.FirstLoss, f.LastLoss, f.Seconds, f.Worker),
            ModelEvaluated v => $"evaluated ({v.Model.ToString().ToLowerInvariant()}): " +
                                string.Join(", ", v.Results.Select(x => string.Format(inv, "{0} ppl {1:F3}", x.Dataset, x.Perplexity))),
            RunCompleted => "completed",
            RunFailed f => $"FAILED at {f.Stage}: {f.Reason}",
            _ => e.Type,
        };
    }

    /// <summary>Describes each event of <paramref name="events"/> with the fold up to it.</summary>
    public static IEnumerable<(StoredEvent Event, RunState? State, string Line)> DescribeAll(IEnumerable<StoredEvent> events)
    {
        RunState? state = null;
        foreach (var e in events)
        {
            state = state is null ? RunState.Create(e.Data, e.Version) : RunState.Apply(state, e.Data, e.Version);
            yield return (e, state, Describe(e, state));
        }
    }
}
