using MassTransit;

namespace PrunePipeline.Finetuner;

/// <summary>The finetuner stage: RefineLayer → LayerRefined (refined weights in the artifact store).</summary>
public static class FinetunerRegistration
{
    public static IBusRegistrationConfigurator AddFinetuner(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<RefineLayerConsumer, RefineLayerConsumerDefinition>();
        return bus;
    }
}
