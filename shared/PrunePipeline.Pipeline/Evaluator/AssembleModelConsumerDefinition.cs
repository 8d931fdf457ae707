using PrunePipeline.Pipeline.Hosting;

namespace PrunePipeline.Pipeline.Evaluator;

/// <summary>One model at a time (it streams a whole checkpoint); transient faults retried.</summary>
public sealed class AssembleModelConsumerDefinition : StageConsumerDefinition<AssembleModelConsumer>;
