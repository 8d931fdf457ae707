using PrunePipeline.Pipeline.Hosting;

namespace PrunePipeline.Pipeline.Finetuner;

/// <summary>One layer at a time per finetuner process, prefetch 1 (several finetuners can compete like pruners).</summary>
public sealed class RefineLayerConsumerDefinition : StageConsumerDefinition<RefineLayerConsumer>;
