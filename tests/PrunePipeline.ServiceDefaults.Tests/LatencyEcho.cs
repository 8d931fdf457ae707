namespace PrunePipeline.ServiceDefaults.Tests;

/// <summary>Test-only response of the round-trip measurement.</summary>
public sealed record LatencyEcho(Guid RunId, int Index);
