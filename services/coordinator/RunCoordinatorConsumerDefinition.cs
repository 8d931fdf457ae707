using MassTransit;

namespace PrunePipeline.Coordinator;

/// <summary>One event at a time per coordinator process: appends of one run then never race inside the process
/// (several coordinator processes still may; the append's expected version and the retry loop cover that).</summary>
public sealed class RunCoordinatorConsumerDefinition : ConsumerDefinition<RunCoordinatorConsumer>
{
    public RunCoordinatorConsumerDefinition() => ConcurrentMessageLimit = 1;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<RunCoordinatorConsumer> consumer,
        IRegistrationContext context)
    {
        endpoint.UseMessageRetry(r => r.Intervals(200, 1000, 3000, 10000));
    }
}
