using PrunePipeline.ServiceDefaults;
using PrunePipeline.ServiceDefaults.Configuration;

namespace PrunePipeline.Finetuner;

/// <summary>One layer at a time per finetuner process, prefetch 1 (several finetuners can compete like pruners).</summary>
public sealed class RefineLayerConsumerDefinition(PipelineOptions options) : StageConsumerDefinition<RefineLayerConsumer>(options);
