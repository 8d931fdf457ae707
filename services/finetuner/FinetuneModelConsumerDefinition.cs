using PrunePipeline.ServiceDefaults;
using PrunePipeline.ServiceDefaults.Configuration;

namespace PrunePipeline.Finetuner;

/// <summary>One whole model at a time per finetuner process (it holds the pruned model, the teacher and AdamW's moments),
/// prefetch 1; transient faults retried (a retry resumes from the last recorded checkpoint).</summary>
public sealed class FinetuneModelConsumerDefinition(PipelineOptions options) : StageConsumerDefinition<FinetuneModelConsumer>(options);
