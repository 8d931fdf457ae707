using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace PrunePipeline.Coordinator;

/// <summary>The coordinator: appends every pipeline event to its run's stream, folds it (RunState) and sends the next commands.</summary>
public static class CoordinatorRegistration
{
    public static IBusRegistrationConfigurator AddCoordinator(this IBusRegistrationConfigurator bus)
    {
        bus.AddSingleton<ModelTopologies>();
        bus.AddSingleton<RunCoordinator>();
        bus.AddHostedService<RunResumer>(); // re-sends what unfinished runs wait for, on start-up
        bus.AddConsumer<RunCoordinatorConsumer, RunCoordinatorConsumerDefinition>();
        bus.AddConsumer<StageFaultConsumer>(); // faults that exhausted their retries become RunFailed in the history
        return bus;
    }
}
