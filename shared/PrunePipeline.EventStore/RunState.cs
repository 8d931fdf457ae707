using System.Collections.Immutable;
using PrunePipeline.Contracts;

namespace PrunePipeline.EventStore;

/// <summary>
/// A run folded from its event stream — THE fold: the coordinator plans from it, the run-summary projection, report.json
/// and every CLI view (show, watch, runs) read it. Marten style: <see cref="Create"/> from the first event,
/// <see cref="Apply"/> for each next one; a plain record with no IO, so it can become a Marten aggregate. A replay
/// stream starts with ReplayRequested, then the effective PruneRequested.
/// </summary>
/// <param name="Stage">The last stage the run reported (PipelineStages names).</param>
public sealed record RunState(
    Guid RunId,
    PruneRequested? Request,
    Guid? ReplayOf,
    ImmutableDictionary<int, BlockCalibrated> Calibrated,
    ImmutableDictionary<string, LayerPruned> Pruned,
    ImmutableDictionary<string, LayerRefined> Refined,
    ModelAssembled? Assembled,
    ModelEvaluated? Evaluated,
    ModelEvaluated? DenseEvaluated,
    RunCompleted? Completed,
    RunFailed? Failed,
    string Stage,
    long Version)
{
    /// <summary>The finetuned model (runs that ask for finetuning), once stored.</summary>
    public ModelFinetuned? Finetuned { get; init; }

    /// <summary>The last resumable finetuning checkpoint recorded.</summary>
    public FinetuneCheckpointed? FinetuneCheckpoint { get; init; }

    public bool IsFinished => Completed is not null || Failed is not null;

    /// <summary>running | completed | failed (<see cref="RunStatuses"/>).</summary>
    public string Status => Completed is not null ? RunStatuses.Completed : Failed is not null ? RunStatuses.Failed : RunStatuses.Running;

    /// <summary>The state after the first event; null when the stream does not start a run.</summary>
    public static RunState? Create(object first, long version = 1) => first switch
    {
        PruneRequested r => Empty(r.RunId, version) with { Request = r },
        ReplayRequested r => Empty(r.RunId, version) with { ReplayOf = r.SourceRunId },
        _ => null,
    };

    public static RunState Apply(RunState s, object e, long version)
    {
        s = s with { Version = version };
        return e switch
        {
            PruneRequested r => s with { Request = r },
            BlockCalibrated b => s with { Calibrated = s.Calibrated.SetItem(b.Block, b), Stage = PipelineStages.Calibrate },
            LayerPruned p => s with { Pruned = s.Pruned.SetItem(p.Layer, p), Stage = PipelineStages.Prune },
            LayerRefined r => s with { Refined = s.Refined.SetItem(r.Layer, r), Stage = PipelineStages.Refine },
            ModelAssembled a => s with { Assembled = a, Stage = PipelineStages.Assemble },
            FinetuneCheckpointed c => s with { FinetuneCheckpoint = c.Step > (s.FinetuneCheckpoint?.Step ?? 0) ? c : s.FinetuneCheckpoint, Stage = PipelineStages.Finetune },
            ModelFinetuned f => s with { Finetuned = f, Stage = PipelineStages.Finetune },
            ModelEvaluated { Model: EvaluatedModel.Dense } v => s with { DenseEvaluated = v },
            ModelEvaluated v => s with { Evaluated = v, Stage = PipelineStages.Evaluate },
            RunCompleted c => s with { Completed = c, Stage = PipelineStages.Completed },
            RunFailed f => s with { Failed = f, Stage = f.Stage },
            _ => s,
        };
    }

    /// <summary>Folds (data, version) pairs; null when the stream does not start a run.</summary>
    public static RunState? Fold(IEnumerable<(object Data, long Version)> events)
    {
        RunState? state = null;
        foreach (var (data, version) in events)
            state = state is null ? Create(data, version) : Apply(state, data, version);
        return state;
    }

    /// <summary>Folds stored events (in version order).</summary>
    public static RunState? Fold(IEnumerable<StoredEvent> events) => Fold(events.Select(e => (e.Data, e.Version)));

    /// <summary>The refined weights' key when the method refines, else the pruned weights' key.</summary>
    public string FinalWeightsKey(string tensor) =>
        Request?.Method.Refines == true ? Refined[tensor].WeightsKey : Pruned[tensor].WeightsKey;

    static RunState Empty(Guid run, long version) => new(run, null, null, ImmutableDictionary<int, BlockCalibrated>.Empty,
        ImmutableDictionary<string, LayerPruned>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableDictionary<string, LayerRefined>.Empty.WithComparers(StringComparer.Ordinal), null, null, null, null, null,
        PipelineStages.Requested, version);
}
