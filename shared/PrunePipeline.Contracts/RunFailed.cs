namespace PrunePipeline.Contracts;

/// <summary>Event recorded and published by the coordinator: the run stopped at <paramref name="Stage"/>
/// (<see cref="PipelineStages"/>) for <paramref name="Reason"/> (a one-line message naming the file / tensor / value at
/// fault). Workers report with <see cref="StageFailed"/>.</summary>
public sealed record RunFailed(Guid RunId, string Stage, string Reason);
