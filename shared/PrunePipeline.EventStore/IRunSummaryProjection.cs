namespace PrunePipeline.EventStore;

/// <summary>Turns a run stream into its <see cref="RunSummary"/>; the stores call it inside the append transaction
/// with the whole stream (the committed events and the ones being appended), so the summary never disagrees with the
/// events and is always equal to a fresh fold.</summary>
public interface IRunSummaryProjection
{
    /// <summary>The summary of <paramref name="stream"/> (all its events, in version order); null to keep no summary
    /// (e.g. the stream did not start with a request).</summary>
    RunSummary? Project(IReadOnlyList<StoredEvent> stream);

    /// <summary>The summary of an already folded run (first and last event times given): what an incremental store
    /// (Marten's inline projection keeps the fold as a document) calls instead of re-reading the stream.</summary>
    RunSummary Summarise(RunState state, DateTimeOffset created, DateTimeOffset updated) => RunSummary.Of(state, created, updated);
}
