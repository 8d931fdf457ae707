using MassTransit;

namespace PrunePipeline.Pipeline.Pruner;

/// <summary>Prefetch 1 and one message at a time: a PruneLayer is heavy, and holding only the layer being worked on
/// is what lets competing pruner processes share a block's layers instead of one process queueing them all.</summary>
public sealed class PruneLayerConsumerDefinition : ConsumerDefinition<PruneLayerConsumer>
{
    public PruneLayerConsumerDefinition() => ConcurrentMessageLimit = 1;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<PruneLayerConsumer> consumer,
        IRegistrationContext context)
    {
        endpoint.PrefetchCount = 1;
        endpoint.UseMessageRetry(r => r.Intervals(500, 2000, 5000));
    }
}
