using PrunePipeline.Contracts;

namespace PrunePipeline.EventStore;

/// <summary>The default projection: status, stage, method, perplexities and a layer count from the contract events.
/// Unknown event types only move <see cref="RunSummary.Updated"/> and the version.</summary>
public sealed class RunSummaryProjection : IRunSummaryProjection
{
    static readonly IReadOnlyDictionary<string, double> NoPerplexities = new Dictionary<string, double>();

    public RunSummary? Apply(RunSummary? current, StoredEvent e)
    {
        if (current == null)
        {
            current = e.Data switch
            {
                PruneRequested r => Start(e, r.Method.Method),
                ReplayRequested r => Start(e, r.Overrides.Method),
                _ => null,
            };
            if (current == null) return null;
        }
        var s = current with { Updated = e.Timestamp, Version = e.Version };
        return e.Data switch
        {
            BlockCalibrated => s with { Stage = PipelineStages.Calibrate },
            LayerPruned => s with { Stage = PipelineStages.Prune, LayersPruned = s.LayersPruned + 1 },
            LayerRefined => s with { Stage = PipelineStages.Refine },
            ModelAssembled => s with { Stage = PipelineStages.Assemble },
            ModelEvaluated { Model: EvaluatedModels.Dense } => s,
            ModelEvaluated m => s with { Stage = PipelineStages.Evaluate, Perplexities = Merge(s.Perplexities, m.Results) },
            RunCompleted c => s with { Status = RunStatuses.Completed, Stage = PipelineStages.Completed, Perplexities = Merge(s.Perplexities, c.Perplexities) },
            RunFailed f => s with { Status = RunStatuses.Failed, Stage = f.Stage, FailureReason = f.Reason },
            _ => s,
        };
    }

    static RunSummary Start(StoredEvent e, string? method) =>
        new(e.StreamId, RunStatuses.Running, method, PipelineStages.Requested, e.Timestamp, e.Timestamp, NoPerplexities, null, 0, e.Version);

    static IReadOnlyDictionary<string, double> Merge(IReadOnlyDictionary<string, double> old, IReadOnlyList<DatasetPerplexity> results)
    {
        var merged = new Dictionary<string, double>(old);
        foreach (var r in results) merged[r.Dataset] = r.Perplexity;
        return merged;
    }
}
