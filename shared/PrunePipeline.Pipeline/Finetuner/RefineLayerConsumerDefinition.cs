using MassTransit;

namespace PrunePipeline.Pipeline.Finetuner;

/// <summary>One layer at a time per finetuner process, prefetch 1 (several finetuners can compete like pruners).</summary>
public sealed class RefineLayerConsumerDefinition : ConsumerDefinition<RefineLayerConsumer>
{
    public RefineLayerConsumerDefinition() => ConcurrentMessageLimit = 1;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<RefineLayerConsumer> consumer,
        IRegistrationContext context)
    {
        endpoint.PrefetchCount = 1;
        endpoint.UseMessageRetry(r => r.Intervals(500, 2000, 5000));
    }
}
