using PrunePipeline.ServiceDefaults;
using PrunePipeline.ServiceDefaults.Configuration;

namespace PrunePipeline.Calibrator;

/// <summary>One block at a time per calibrator process (a block's activations and Hessians are the memory bound);
/// transient faults (store, network) are retried, bad inputs are not (they become RunFailed in the consumer).</summary>
public sealed class CalibrateBlockConsumerDefinition(PipelineOptions options) : StageConsumerDefinition<CalibrateBlockConsumer>(options);
