using MassTransit;
using PrunePipeline.ServiceDefaults.Configuration;

namespace PrunePipeline.ServiceDefaults;

/// <summary>
/// What every stage consumer shares: one message at a time per process and <c>Pipeline:Bus:PrefetchCount</c> (default
/// 1: stage work is heavy, and holding only the message being worked on is what lets competing processes share the
/// work), and retries with back-off for transient faults (store, network). Bad inputs are not retried: the consumers
/// turn them into RunFailed, and a fault that exhausts the retries becomes RunFailed through the coordinator's
/// StageFaultConsumer.
/// </summary>
public abstract class StageConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    /// <summary>The retry intervals of a stage (ms): short enough to ride out a broker or store restart.</summary>
    public static readonly int[] RetryIntervalsMs = [500, 2000, 5000];

    readonly int _prefetch;

    protected StageConsumerDefinition(PipelineOptions options)
    {
        ConcurrentMessageLimit = 1;
        _prefetch = options.Bus.PrefetchCount;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<TConsumer> consumer,
        IRegistrationContext context)
    {
        endpoint.PrefetchCount = _prefetch;
        endpoint.UseMessageRetry(r => r.Intervals(RetryIntervalsMs));
    }
}
