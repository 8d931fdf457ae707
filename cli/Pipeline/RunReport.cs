using System.Globalization;
using PrunePipeline.Contracts;
using PrunePipeline.EventStore;

namespace PrunePipeline.Cli.Pipeline;

/// <summary>The summary table of a run, built from its events only (the event store is the run's truth).</summary>
internal static class RunReport
{
    public static void Print(Guid runId, IReadOnlyList<StoredEvent> events, TextWriter w)
    {
        var inv = CultureInfo.InvariantCulture;
        var refined = events.Select(e => e.Data).OfType<LayerRefined>().ToDictionary(r => r.Layer, StringComparer.Ordinal);
        var pruned = events.Select(e => e.Data).OfType<LayerPruned>().OrderBy(p => p.Block).ThenBy(p => p.Layer, StringComparer.Ordinal).ToList();
        w.WriteLine($"run {runId}");
        if (pruned.Count > 0)
        {
            w.WriteLine($"{"block",5}  {"layer",-44} {"loss (method)",14} {"loss (refined)",14} {"iters",6} {"worker",-28}");
            foreach (var p in pruned)
            {
                var after = refined.TryGetValue(p.Layer, out var r) ? r.LossAfter.ToString("G5", inv) : "-";
                w.WriteLine(string.Format(inv, "{0,5}  {1,-44} {2,14:G5} {3,14} {4,6} {5,-28}", p.Block, p.Layer, p.LossAfter, after, p.Iterations, p.Worker));
            }
        }
        foreach (var b in events.Select(e => e.Data).OfType<BlockCalibrated>().Where(b => b.Reused && b.Note is not null).Take(1))
            w.WriteLine($"hessians: {b.Note}");
        var evaluated = events.Select(e => e.Data).OfType<ModelEvaluated>().LastOrDefault(v => v.Model != EvaluatedModels.Dense);
        var dense = events.Select(e => e.Data).OfType<ModelEvaluated>().LastOrDefault(v => v.Model == EvaluatedModels.Dense);
        if (evaluated is not null)
        {
            w.WriteLine($"{"dataset",-12} {"seqlen",6} {"dense ppl",10} {"ppl",10}  convention");
            foreach (var x in evaluated.Results)
            {
                var before = dense?.Results.FirstOrDefault(b => b.Dataset == x.Dataset)?.Perplexity;
                w.WriteLine(string.Format(inv, "{0,-12} {1,6} {2,10} {3,10:F3}  {4}", x.Dataset, x.SeqLen, before?.ToString("F3", inv) ?? "-", x.Perplexity, x.Convention));
            }
        }
        var end = events.Count > 0 ? events[^1] : null;
        if (end?.Data is RunFailed f) w.WriteLine($"FAILED at {f.Stage}: {f.Reason}");
        if (events.Count > 1)
            w.WriteLine(string.Format(inv, "wall time {0:F1} s from request to {1}", (events[^1].Timestamp - events[0].Timestamp).TotalSeconds, events[^1].Type));
    }
}
