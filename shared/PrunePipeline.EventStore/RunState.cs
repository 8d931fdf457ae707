using System.Collections.Immutable;
using PrunePipeline.Contracts;

namespace PrunePipeline.EventStore;

/// <summary>
/// A run folded from its event stream (Marten style: <see cref="Create"/> from the first event, <see cref="Apply"/>
/// for each next one). Pure: no IO. A replay stream starts with ReplayRequested, then the effective PruneRequested.
/// </summary>
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
    long Version)
{
    public bool IsFinished => Completed is not null || Failed is not null;

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
            BlockCalibrated b => s with { Calibrated = s.Calibrated.SetItem(b.Block, b) },
            LayerPruned p => s with { Pruned = s.Pruned.SetItem(p.Layer, p) },
            LayerRefined r => s with { Refined = s.Refined.SetItem(r.Layer, r) },
            ModelAssembled a => s with { Assembled = a },
            ModelEvaluated { Model: EvaluatedModels.Dense } v => s with { DenseEvaluated = v },
            ModelEvaluated v => s with { Evaluated = v },
            RunCompleted c => s with { Completed = c },
            RunFailed f => s with { Failed = f },
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

    static RunState Empty(Guid run, long version) => new(run, null, null, ImmutableDictionary<int, BlockCalibrated>.Empty,
        ImmutableDictionary<string, LayerPruned>.Empty.WithComparers(StringComparer.Ordinal),
        ImmutableDictionary<string, LayerRefined>.Empty.WithComparers(StringComparer.Ordinal), null, null, null, null, null, version);
}
