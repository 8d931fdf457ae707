namespace PrunePipeline.EventStore;

/// <summary>The run-summary projection row: what <c>prunectl runs</c> lists.</summary>
/// <param name="RunId">The run (its stream id).</param>
/// <param name="Status">running | completed | failed (<see cref="RunStatuses"/>).</param>
/// <param name="Method">Pruning method, when known.</param>
/// <param name="Stage">Current / last stage (PipelineStages names).</param>
/// <param name="Created">First event's time.</param>
/// <param name="Updated">Last event's time.</param>
/// <param name="Perplexities">Dataset → perplexity, once evaluated.</param>
/// <param name="FailureReason">Why it failed, when it did.</param>
/// <param name="LayersPruned">LayerPruned events seen so far.</param>
/// <param name="Version">Stream version the summary reflects.</param>
public sealed record RunSummary(
    Guid RunId,
    string Status,
    string? Method,
    string Stage,
    DateTimeOffset Created,
    DateTimeOffset Updated,
    IReadOnlyDictionary<string, double> Perplexities,
    string? FailureReason,
    int LayersPruned,
    long Version);
