using MassTransit;

namespace PrunePipeline.Calibrator;

/// <summary>The calibrator stage: CalibrateBlock → BlockCalibrated (Hessians and activations in the artifact store).</summary>
public static class CalibratorRegistration
{
    public static IBusRegistrationConfigurator AddCalibrator(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<CalibrateBlockConsumer, CalibrateBlockConsumerDefinition>();
        return bus;
    }
}
