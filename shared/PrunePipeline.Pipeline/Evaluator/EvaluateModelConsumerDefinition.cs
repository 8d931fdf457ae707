using MassTransit;

namespace PrunePipeline.Pipeline.Evaluator;

/// <summary>One evaluation at a time per evaluator process; transient faults retried.</summary>
public sealed class EvaluateModelConsumerDefinition : ConsumerDefinition<EvaluateModelConsumer>
{
    public EvaluateModelConsumerDefinition() => ConcurrentMessageLimit = 1;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<EvaluateModelConsumer> consumer,
        IRegistrationContext context)
    {
        endpoint.PrefetchCount = 1;
        endpoint.UseMessageRetry(r => r.Intervals(500, 2000, 5000));
    }
}
