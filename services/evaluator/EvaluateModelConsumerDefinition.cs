using PrunePipeline.ServiceDefaults;
using PrunePipeline.ServiceDefaults.Configuration;

namespace PrunePipeline.Evaluator;

/// <summary>One evaluation at a time per evaluator process; transient faults retried.</summary>
public sealed class EvaluateModelConsumerDefinition(PipelineOptions options) : StageConsumerDefinition<EvaluateModelConsumer>(options);
