using PrunePipeline.ServiceDefaults;
using PrunePipeline.ServiceDefaults.Configuration;

namespace PrunePipeline.Pruner;

/// <summary>Prefetch Pipeline:Bus:PrefetchCount (1) and one message at a time: a PruneLayer is heavy, and holding only the layer being worked on
/// is what lets competing pruner processes share a block's layers instead of one process queueing them all.</summary>
public sealed class PruneLayerConsumerDefinition(PipelineOptions options) : StageConsumerDefinition<PruneLayerConsumer>(options);
