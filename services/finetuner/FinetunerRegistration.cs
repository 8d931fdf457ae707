using MassTransit;

namespace PrunePipeline.Finetuner;

/// <summary>The finetuner stage: RefineLayer → LayerRefined (refined weights in the artifact store), and FinetuneModel →
/// FinetuneCheckpointed … ModelFinetuned (global masked finetuning of the assembled model).</summary>
public static class FinetunerRegistration
{
    public static IBusRegistrationConfigurator AddFinetuner(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<RefineLayerConsumer, RefineLayerConsumerDefinition>();
        bus.AddConsumer<FinetuneModelConsumer, FinetuneModelConsumerDefinition>();
        return bus;
    }
}
