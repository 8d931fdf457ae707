namespace PrunePipeline.EventStore;

/// <summary>Values of <see cref="RunSummary.Status"/>.</summary>
public static class RunStatuses
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
}
