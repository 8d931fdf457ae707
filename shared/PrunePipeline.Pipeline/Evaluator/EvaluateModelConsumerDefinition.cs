using PrunePipeline.Pipeline.Hosting;

namespace PrunePipeline.Pipeline.Evaluator;

/// <summary>One evaluation at a time per evaluator process; transient faults retried.</summary>
public sealed class EvaluateModelConsumerDefinition : StageConsumerDefinition<EvaluateModelConsumer>;
