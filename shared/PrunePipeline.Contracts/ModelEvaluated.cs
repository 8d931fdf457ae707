namespace PrunePipeline.Contracts;

/// <summary>Event: perplexities of the assembled model, one per dataset.</summary>
public sealed record ModelEvaluated(Guid RunId, string ModelPrefix, IReadOnlyList<DatasetPerplexity> Results, double Seconds);
