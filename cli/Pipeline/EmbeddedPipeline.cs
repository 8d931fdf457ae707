using MassTransit;
using PrunePipeline.Calibrator;
using PrunePipeline.Coordinator;
using PrunePipeline.Evaluator;
using PrunePipeline.Finetuner;
using PrunePipeline.Pruner;

namespace PrunePipeline.Cli.Pipeline;

/// <summary>The embedded pipeline: the five services' own registrations composed in one process (what
/// <c>prunectl run</c> hosts, and what the harness tests run).</summary>
public static class EmbeddedPipeline
{
    public const string Worker = "embedded";

    public static void AddAllStages(IBusRegistrationConfigurator bus)
    {
        bus.AddCoordinator();
        bus.AddCalibrator();
        bus.AddPruner();
        bus.AddFinetuner();
        bus.AddEvaluator();
    }

    /// <summary>A client (submit, watch, show, runs) hosts no stage: it publishes and reads the event store.</summary>
    public static void NoStages(IBusRegistrationConfigurator bus)
    {
    }
}
