namespace PrunePipeline.ServiceDefaults.Tests;

/// <summary>A stage message for <see cref="FlakyStageConsumer"/>.</summary>
public sealed record FlakyWork(Guid Id, int FailuresBeforeSuccess);
