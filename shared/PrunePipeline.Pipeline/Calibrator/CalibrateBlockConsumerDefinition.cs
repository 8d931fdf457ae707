using MassTransit;

namespace PrunePipeline.Pipeline.Calibrator;

/// <summary>One block at a time per calibrator process (a block's activations and Hessians are the memory bound);
/// transient faults (store, network) are retried, bad inputs are not (they become RunFailed in the consumer).</summary>
public sealed class CalibrateBlockConsumerDefinition : ConsumerDefinition<CalibrateBlockConsumer>
{
    public CalibrateBlockConsumerDefinition() => ConcurrentMessageLimit = 1;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<CalibrateBlockConsumer> consumer,
        IRegistrationContext context)
    {
        endpoint.PrefetchCount = 1;
        endpoint.UseMessageRetry(r => r.Intervals(500, 2000, 5000));
    }
}
