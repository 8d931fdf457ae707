using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using PrunePipeline.Artifacts;
using PrunePipeline.EventStore;
using PrunePipeline.ServiceDefaults.Configuration;
using PrunePipeline.ServiceDefaults.Trust;

namespace PrunePipeline.ServiceDefaults;

/// <summary>
/// The one place where the pipeline's infrastructure is chosen, from configuration section "Pipeline" only
/// (<see cref="PipelineOptions"/>): embedded = MassTransit in-memory + folder artifacts + SQLite; distributed =
/// RabbitMQ + S3 + PostgreSQL. Each service adds its own stage (<c>AddPruner()</c>, …) through the callback; the
/// embedded pipeline (<c>prunectl run</c>) passes all of them, a client (<c>prunectl submit/watch</c>) none.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>What a service process runs with when neither appsettings.json nor the environment says otherwise:
    /// the distributed pipeline on this machine's default ports (docker-compose sets the real addresses).</summary>
    public static readonly IReadOnlyDictionary<string, string?> DistributedDefaults = new Dictionary<string, string?>
    {
        ["Pipeline:Mode"] = "Distributed",
        ["Pipeline:Bus:Transport"] = "RabbitMq",
        ["Pipeline:Bus:RabbitMqUri"] = "amqp://guest:guest@127.0.0.1:5672/",
        ["Pipeline:Artifacts:Store"] = "S3",
        ["Pipeline:Artifacts:S3:ServiceUrl"] = "http://127.0.0.1:9000",
        ["Pipeline:EventStore:Store"] = "Postgres",
        ["Pipeline:EventStore:PostgresConnectionString"] = "Host=127.0.0.1;Port=5432;Username=prune;Database=prunepipeline",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
        ["Logging:LogLevel:MassTransit"] = "Warning",
    };

    /// <summary>A service's whole setup: the distributed defaults (below appsettings.json and the environment), the
    /// stores, the worker identity, the bus with <paramref name="stages"/>, and the health file when configured.</summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder, string worker,
        Action<IBusRegistrationConfigurator> stages)
    {
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = DistributedDefaults });
        builder.Services.AddPipeline(builder.Configuration, worker, stages);
        return builder;
    }

    /// <summary>Stores, identity and bus from section "Pipeline" of <paramref name="configuration"/>.</summary>
    public static IServiceCollection AddPipeline(this IServiceCollection services, IConfiguration configuration, string worker,
        Action<IBusRegistrationConfigurator> stages)
    {
        var options = PipelineOptions.FromConfiguration(configuration);
        services.AddPipelineCore(options, worker);
        services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry(); // it would otherwise try to reach the internet
            stages(x);
            var bus = options.Bus;
            var names = new KebabCaseEndpointNameFormatter(string.IsNullOrEmpty(bus.EntityPrefix) ? null : bus.EntityPrefix, false);
            if (bus.Transport == BusTransport.RabbitMq)
                x.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(new Uri(bus.RabbitMqUri!));
                    cfg.PrefetchCount = bus.PrefetchCount;
                    if (!string.IsNullOrEmpty(bus.EntityPrefix))
                        cfg.MessageTopology.SetEntityNameFormatter(new PrefixEntityNameFormatter(cfg.MessageTopology.EntityNameFormatter, bus.EntityPrefix + "."));
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
        if (!string.IsNullOrEmpty(options.HealthFile))
        {
            // MassTransit adds its bus/endpoint checks to this builder; the publisher writes their status to a file that
            // docker-compose's healthcheck reads (a worker has no HTTP port to probe).
            services.AddHealthChecks();
            services.Configure<HealthCheckPublisherOptions>(o => (o.Delay, o.Period) = (TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10)));
            services.AddSingleton<IHealthCheckPublisher>(new HealthFilePublisher(options.HealthFile));
        }
        return services;
    }

    /// <summary>What the stage consumers depend on, without a bus: options, stores, model cache, worker identity, and the
    /// trust checks (path roots, run guard). Tests
    /// call this and then compose the stages on <c>AddMassTransitTestHarness</c>.</summary>
    public static IServiceCollection AddPipelineCore(this IServiceCollection services, PipelineOptions options, string worker)
    {
        services.AddSingleton(options);
        // The device is a per-process setting (Pipeline:Device / ComputeDType / Threads): set before any consumer runs.
        if (options.Threads is { } threads) PrunePipeline.Tensors.TorchRuntime.Initialize(threads);
        if (options.Device is not null || options.ComputeDType is not null)
        {
            try { PrunePipeline.Tensors.ComputeTarget.Default = PrunePipeline.Tensors.ComputeTarget.Parse(options.Device, options.ComputeDType); }
            catch (ArgumentException e) { throw new InvalidOperationException($"Pipeline:Device / Pipeline:ComputeDType: {e.Message}", e); }
        }
        services.AddSingleton(new WorkerIdentity(worker, PrunePipeline.Tensors.ComputeTarget.Default.ToString()));
        services.AddSingleton<ModelCache>();
        services.AddSingleton<IArtifactStore>(_ => PipelineStores.CreateArtifactStoreAsync(options.Artifacts).GetAwaiter().GetResult());
        services.AddSingleton<IEventStore>(_ => PipelineStores.CreateEventStoreAsync(options.EventStore).GetAwaiter().GetResult());
        services.AddSingleton<PathRoots>(); // trust: which files workers may open
        services.AddSingleton<RunGuard>(); // trust: workers act only on pending commands of running runs
        return services;
    }
}
