using MassTransit;

namespace PrunePipeline.Evaluator;

/// <summary>The evaluator stage: AssembleModel → ModelAssembled (the HF directory) and EvaluateModel → ModelEvaluated. The assembler
/// sits here because it needs the dense model and the artifacts, not a GPU, and the evaluator reads its output next.</summary>
public static class EvaluatorRegistration
{
    public static IBusRegistrationConfigurator AddEvaluator(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<AssembleModelConsumer, AssembleModelConsumerDefinition>();
        bus.AddConsumer<EvaluateModelConsumer, EvaluateModelConsumerDefinition>();
        return bus;
    }
}
