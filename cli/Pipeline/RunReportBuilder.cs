using PrunePipeline.Contracts;
using PrunePipeline.EventStore;
using PrunePipeline.Model;
using PrunePipeline.ServiceDefaults;
using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.Cli.Pipeline;

/// <summary>
/// report.json of a pipeline run, from the run's fold (<see cref="RunState"/>; the event store is the run's truth), in the
/// workflow's own <see cref="PruneReport"/> schema so <c>prunectl compare</c> reads a <c>run</c> output like a
/// <c>prune</c> output.
/// </summary>
public static class RunReportBuilder
{
    /// <summary>Builds the report of a completed run; <paramref name="config"/> gives the layers' shapes.</summary>
    public static PruneReport Build(IReadOnlyList<StoredEvent> events, LlamaConfig config)
    {
        var state = RunState.Fold(events);
        var request = state?.Request ?? throw new InvalidOperationException("the run's event stream has no PruneRequested; no report can be built.");
        var p = request.Method;
        var calib = request.Calibration;
        var refined = state.Refined;
        var layers = state.Pruned.Values
            .OrderBy(x => x.Block).ThenBy(x => Array.IndexOf(DecoderBlockWeights.LinearNames.ToArray(), LayerNames.Parse(x.Layer).ShortName))
            .Select(x =>
            {
                var (_, name) = LayerNames.Parse(x.Layer);
                var (rows, cols) = DecoderBlockWeights.LinearShape(config, name);
                var r = refined.GetValueOrDefault(x.Layer);
                return new LayerReport(x.Block, name, x.Layer, rows, cols, x.Loss, r?.Loss ?? x.Loss, x.Iterations,
                    p.Method == "prox" ? x.FinalLambda : null, x.HitMaxIterations, x.DampingUsed, x.Seconds, r?.Seconds ?? 0, x.KeptFraction, x.Worker);
            }).ToList();

        var after = state.Evaluated;
        var before = state.DenseEvaluated;
        var datasets = (after?.Results ?? []).Select(a => new DatasetReport(a.Dataset, request.Evaluation.Datasets.GetValueOrDefault(a.Dataset) ?? "",
            a.SeqLen, a.Convention, a.Sequences, a.Tokens, before?.Results.FirstOrDefault(b => b.Dataset == a.Dataset)?.Perplexity, a.Perplexity)).ToList();

        var runId = events.Count > 0 ? events[0].StreamId : request.RunId;
        var total = events.Count > 1 ? (events[^1].Timestamp - events[0].Timestamp).TotalSeconds : 0;
        var versions = new Dictionary<string, string>
        {
            ["pipeline_run"] = runId.ToString("D"),
            ["dotnet"] = Environment.Version.ToString(),
        };
        return new PruneReport(PruneReport.FormatName, Path.GetFullPath(request.ModelLocation), p.Method, p.Refine, p.Pattern, request.Mode, p,
            calib, calib.Tokens, calib.Seed, layers, datasets,
            state.Calibrated.Values.Sum(b => b.Seconds),
            layers.Sum(l => l.MethodSeconds + l.RefineSeconds),
            (after?.Seconds ?? 0) + (before?.Seconds ?? 0), total, versions);
    }
}
