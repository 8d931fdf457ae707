namespace PrunePipeline.Contracts;

/// <summary>Event from a worker: its stage cannot succeed for <paramref name="Reason"/> (a bad input: a one-line message
/// naming the file / tensor / value at fault). The coordinator records it as the run's <see cref="RunFailed"/>; workers
/// never publish RunFailed themselves, so the coordinator never consumes its own events.</summary>
public sealed record StageFailed(Guid RunId, string Stage, string Reason);
