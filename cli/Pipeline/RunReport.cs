using System.Globalization;
using PrunePipeline.EventStore;

namespace PrunePipeline.Cli.Pipeline;

/// <summary>The summary table of a run, from its fold (<see cref="RunState"/>: the event store is the run's truth).</summary>
internal static class RunReport
{
    public static void Print(RunState? state, IReadOnlyList<StoredEvent> events, TextWriter w)
    {
        if (state is null) return;
        var inv = CultureInfo.InvariantCulture;
        w.WriteLine($"run {state.RunId}");
        if (state.Pruned.Count > 0)
        {
            w.WriteLine($"{"block",5}  {"layer",-44} {"loss (method)",14} {"loss (refined)",14} {"iters",6} {"worker",-28}");
            foreach (var p in state.Pruned.Values.OrderBy(p => p.Block).ThenBy(p => p.Layer, StringComparer.Ordinal))
            {
                var after = state.Refined.TryGetValue(p.Layer, out var r) ? r.Loss.ToString("G5", inv) : "-";
                w.WriteLine(string.Format(inv, "{0,5}  {1,-44} {2,14:G5} {3,14} {4,6} {5,-28}", p.Block, p.Layer, p.Loss, after, p.Iterations, p.Worker));
            }
        }
        foreach (var b in state.Calibrated.Values.Where(b => b.Reused && b.Note is not null).OrderBy(b => b.Block).Take(1))
            w.WriteLine($"hessians: {b.Note}");
        if (state.Evaluated is { } evaluated)
        {
            w.WriteLine($"{"dataset",-12} {"seqlen",6} {"dense ppl",10} {"ppl",10}  convention");
            foreach (var x in evaluated.Results)
            {
                var before = state.DenseEvaluated?.Results.FirstOrDefault(b => b.Dataset == x.Dataset)?.Perplexity;
                w.WriteLine(string.Format(inv, "{0,-12} {1,6} {2,10} {3,10:F3}  {4}", x.Dataset, x.SeqLen, before?.ToString("F3", inv) ?? "-", x.Perplexity, x.Convention));
            }
        }
        if (state.Failed is { } f) w.WriteLine($"FAILED at {f.Stage}: {f.Reason}");
        if (events.Count > 1)
            w.WriteLine(string.Format(inv, "wall time {0:F1} s from request to {1}", (events[^1].Timestamp - events[0].Timestamp).TotalSeconds, events[^1].Type));
    }
}
