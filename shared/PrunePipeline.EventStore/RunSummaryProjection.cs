namespace PrunePipeline.EventStore;

/// <summary>The default projection: the run's <see cref="RunState"/> fold, summarised (<see cref="RunSummary.Of"/>).</summary>
public sealed class RunSummaryProjection : IRunSummaryProjection
{
    public RunSummary? Project(IReadOnlyList<StoredEvent> stream) =>
        stream.Count == 0 || RunState.Fold(stream) is not { } state ? null : Summarise(state, stream[0].Timestamp, stream[^1].Timestamp);

    public RunSummary Summarise(RunState state, DateTimeOffset created, DateTimeOffset updated) => RunSummary.Of(state, created, updated);
}
