namespace PrunePipeline.EventStore;

/// <summary>Folds a run stream's events into its <see cref="RunSummary"/>; the stores call it inside the append
/// transaction, so the summary never disagrees with the events.</summary>
public interface IRunSummaryProjection
{
    /// <summary>The summary after <paramref name="e"/>; <paramref name="current"/> is null before the first event.
    /// Returns null to keep no summary (e.g. the stream did not start with a request).</summary>
    RunSummary? Apply(RunSummary? current, StoredEvent e);
}
