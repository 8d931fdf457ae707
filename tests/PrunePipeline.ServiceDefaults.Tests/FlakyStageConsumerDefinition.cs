using PrunePipeline.ServiceDefaults.Configuration;

namespace PrunePipeline.ServiceDefaults.Tests;

/// <summary>The production stage definition (retry intervals, prefetch, concurrency) on a test consumer.</summary>
public sealed class FlakyStageConsumerDefinition(PipelineOptions options) : StageConsumerDefinition<FlakyStageConsumer>(options);
