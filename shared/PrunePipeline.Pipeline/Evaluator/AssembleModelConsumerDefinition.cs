using MassTransit;

namespace PrunePipeline.Pipeline.Evaluator;

/// <summary>One model at a time (it streams a whole checkpoint); transient faults retried.</summary>
public sealed class AssembleModelConsumerDefinition : ConsumerDefinition<AssembleModelConsumer>
{
    public AssembleModelConsumerDefinition() => ConcurrentMessageLimit = 1;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<AssembleModelConsumer> consumer,
        IRegistrationContext context)
    {
        endpoint.PrefetchCount = 1;
        endpoint.UseMessageRetry(r => r.Intervals(500, 2000, 5000));
    }
}
