namespace PrunePipeline.EventStore;

/// <summary>Stream type names; the run-summary projection only looks at <see cref="Run"/> streams.</summary>
public static class StreamTypes
{
    public const string Run = "run";
}
