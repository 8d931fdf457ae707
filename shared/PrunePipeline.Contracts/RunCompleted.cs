namespace PrunePipeline.Contracts;

/// <summary>Event: the run finished; its model lives under <paramref name="ModelPrefix"/>.</summary>
public sealed record RunCompleted(Guid RunId, string ModelPrefix, IReadOnlyList<DatasetPerplexity> Perplexities, double Seconds);
