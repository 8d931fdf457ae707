using MassTransit;

namespace PrunePipeline.Pipeline.Hosting;

/// <summary>
/// What every stage consumer shares: one message at a time and prefetch 1 per process (stage work is heavy, and
/// holding only the message being worked on is what lets competing processes share the work), and retries with
/// back-off for transient faults (store, network). Bad inputs are not retried: the consumers turn them into
/// RunFailed, and a fault that exhausts the retries becomes RunFailed through StageFaultConsumer.
/// </summary>
public abstract class StageConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    protected StageConsumerDefinition() => ConcurrentMessageLimit = 1;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<TConsumer> consumer,
        IRegistrationContext context)
    {
        endpoint.PrefetchCount = 1;
        endpoint.UseMessageRetry(r => r.Intervals(500, 2000, 5000));
    }
}
