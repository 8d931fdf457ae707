using PrunePipeline.ServiceDefaults;
using PrunePipeline.ServiceDefaults.Configuration;

namespace PrunePipeline.Evaluator;

/// <summary>One model at a time (it streams a whole checkpoint); transient faults retried.</summary>
public sealed class AssembleModelConsumerDefinition(PipelineOptions options) : StageConsumerDefinition<AssembleModelConsumer>(options);
