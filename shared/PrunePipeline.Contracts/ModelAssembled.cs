namespace PrunePipeline.Contracts;

/// <summary>Event: the pruned model directory is stored under <paramref name="ModelPrefix"/>.</summary>
public sealed record ModelAssembled(Guid RunId, string ModelPrefix, int Layers, double Seconds);
