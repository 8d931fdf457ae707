namespace PrunePipeline.ServiceDefaults.Tests;

/// <summary>Test-only request of the round-trip measurement (MassTransit needs message types in a namespace).</summary>
public sealed record LatencyProbe(Guid RunId, int Index);
