using MassTransit;

namespace PrunePipeline.Pruner;

/// <summary>The pruner stage: PruneLayer → LayerPruned (mask and pruned weights in the artifact store); competing consumers.</summary>
public static class PrunerRegistration
{
    public static IBusRegistrationConfigurator AddPruner(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<PruneLayerConsumer, PruneLayerConsumerDefinition>();
        return bus;
    }
}
