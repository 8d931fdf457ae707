using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PrunePipeline.Artifacts;
using PrunePipeline.EventStore;
using PrunePipeline.Pipeline.Calibrator;
using PrunePipeline.Pipeline.Configuration;
using PrunePipeline.Pipeline.Coordinator;
using PrunePipeline.Pipeline.Evaluator;
using PrunePipeline.Pipeline.Finetuner;
using PrunePipeline.Pipeline.Pruner;
using PrunePipeline.Pipeline.Trust;

namespace PrunePipeline.Pipeline.Hosting;

/// <summary>
/// The one place where the pipeline's infrastructure is chosen, from configuration section "Pipeline" only
/// (<see cref="PipelineOptions"/>): embedded = MassTransit in-memory + folder artifacts + SQLite; distributed =
/// RabbitMQ + S3 + PostgreSQL. A process names the consumers it hosts with <see cref="PipelineRoles"/>.
/// <c>Pipeline:Bus:EntityPrefix</c> (optional) prefixes every queue and exchange, so several pipelines (or test runs)
/// can share one broker.
/// </summary>
public static class PipelineServiceCollectionExtensions
{
    public static IServiceCollection AddPrunePipeline(this IServiceCollection services, IConfiguration configuration, PipelineRoles roles)
    {
        var options = PipelineOptions.FromConfiguration(configuration);
        var prefix = configuration[$"{PipelineOptions.SectionName}:Bus:EntityPrefix"];
        services.AddPipelineServices(options, roles);
        services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry(); // it would otherwise try to reach the internet
            x.AddPipelineConsumers(roles);
            var names = new KebabCaseEndpointNameFormatter(string.IsNullOrEmpty(prefix) ? null : prefix, false);
            if (options.Bus.Transport == BusTransport.RabbitMq)
                x.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(new Uri(options.Bus.RabbitMqUri!));
                    if (!string.IsNullOrEmpty(prefix))
                        cfg.MessageTopology.SetEntityNameFormatter(new PrefixEntityNameFormatter(cfg.MessageTopology.EntityNameFormatter, prefix + "."));
                    cfg.UseConsumeFilter(typeof(MessageSizeFilter<>), context); // trust: refuse oversized messages
                    cfg.ConfigureEndpoints(context, names);
                });
            else
                x.UsingInMemory((context, cfg) =>
                {
                    cfg.UseConsumeFilter(typeof(MessageSizeFilter<>), context);
                    cfg.ConfigureEndpoints(context, names);
                });
        });
        return services;
    }

    /// <summary>The stores, model cache, worker identity and coordinator (no bus): what the consumers depend on.</summary>
    public static IServiceCollection AddPipelineServices(this IServiceCollection services, PipelineOptions options, PipelineRoles roles)
    {
        services.AddSingleton(options);
        services.AddSingleton(new WorkerIdentity(roles));
        services.AddSingleton<ModelCache>();
        services.AddSingleton<ModelTopologies>();
        services.AddSingleton<IArtifactStore>(_ => PipelineStores.CreateArtifactStoreAsync(options.Artifacts).GetAwaiter().GetResult());
        services.AddSingleton<IEventStore>(_ => PipelineStores.CreateEventStoreAsync(options.EventStore).GetAwaiter().GetResult());
        services.AddSingleton<PathRoots>(); // trust: which files workers may open
        services.AddSingleton<RunGuard>(); // trust: workers act only on pending commands of running runs
        services.AddSingleton<RunCoordinator>();
        if (roles.HasFlag(PipelineRoles.Coordinator)) services.AddHostedService<RunResumer>();
        return services;
    }

    /// <summary>The consumers (with their definitions) of <paramref name="roles"/>; tests call this inside
    /// AddMassTransitTestHarness to run the production registration on the harness.</summary>
    public static void AddPipelineConsumers(this IBusRegistrationConfigurator x, PipelineRoles roles)
    {
        if (roles.HasFlag(PipelineRoles.Calibrator)) x.AddConsumer<CalibrateBlockConsumer, CalibrateBlockConsumerDefinition>();
        if (roles.HasFlag(PipelineRoles.Pruner)) x.AddConsumer<PruneLayerConsumer, PruneLayerConsumerDefinition>();
        if (roles.HasFlag(PipelineRoles.Finetuner)) x.AddConsumer<RefineLayerConsumer, RefineLayerConsumerDefinition>();
        if (roles.HasFlag(PipelineRoles.Evaluator))
        {
            x.AddConsumer<AssembleModelConsumer, AssembleModelConsumerDefinition>();
            x.AddConsumer<EvaluateModelConsumer, EvaluateModelConsumerDefinition>();
        }
        if (roles.HasFlag(PipelineRoles.Coordinator))
        {
            x.AddConsumer<RunCoordinatorConsumer, RunCoordinatorConsumerDefinition>();
            x.AddConsumer<StageFaultConsumer>(); // faults that exhausted their retries become RunFailed in the history
        }
    }
}
