using PrunePipeline.Contracts;

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
    long Version)
{
    /// <summary>The summary of a folded run: the projection and <c>prunectl runs</c> read the same fold as everything else.</summary>
    public static RunSummary Of(RunState state, DateTimeOffset created, DateTimeOffset updated)
    {
        var perplexities = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var p in (state.Evaluated?.Results ?? []).Concat(state.Completed?.Perplexities ?? [])) perplexities[p.Dataset] = p.Perplexity;
        return new RunSummary(state.RunId, state.Status, state.Request?.Method.Method, state.Stage, created, updated, perplexities,
            state.Failed?.Reason, state.Pruned.Count, state.Version);
    }
}
