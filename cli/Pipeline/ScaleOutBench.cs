using System.Diagnostics;
using System.Globalization;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PrunePipeline.Contracts;
using PrunePipeline.EventStore;
using PrunePipeline.ServiceDefaults;

namespace PrunePipeline.Cli.Pipeline;

/// <summary>
/// Layers per minute of the distributed pipeline with N pruner processes: coordinator, calibrator, finetuner, evaluator
/// and N pruners each run as their own OS process (<see cref="ServiceProcess"/>) against real RabbitMQ / PostgreSQL / S3,
/// the request is one-shot (every block's layers fan out as soon as its Hessians exist), and the rate is measured from
/// the LayerPruned events' timestamps in the event store (first to last), so start-up and calibration are excluded.
/// </summary>
internal static class ScaleOutBench
{
    /// <summary>The servers: options first, then the PRUNE_TEST_* variables of scripts/servers.sh; null when any is missing.</summary>
    public sealed record Servers(string RabbitMq, string Postgres, string S3Url);

    public static Servers? Resolve(string? rabbit, string? postgres, string? s3)
    {
        rabbit ??= Environment.GetEnvironmentVariable("PRUNE_TEST_RABBITMQ");
        postgres ??= Environment.GetEnvironmentVariable("PRUNE_TEST_POSTGRES");
        s3 ??= Environment.GetEnvironmentVariable("PRUNE_TEST_S3_URL");
        return string.IsNullOrWhiteSpace(rabbit) || string.IsNullOrWhiteSpace(postgres) || string.IsNullOrWhiteSpace(s3) ? null : new(rabbit, postgres, s3);
    }

    /// <summary>One measurement: returns (layers, seconds first→last LayerPruned, layers/min, distinct pruner processes).</summary>
    public static async Task<(int Layers, double Span, double PerMinute, int Workers, double Wall)> MeasureAsync(
        Servers servers, PruneRequested template, int pruners, string configuration, TimeSpan timeout, CancellationToken ct)
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        var settings = new Dictionary<string, string>
        {
            ["Pipeline__Mode"] = "Distributed",
            ["Pipeline__Bus__Transport"] = "RabbitMq",
            ["Pipeline__Bus__RabbitMqUri"] = servers.RabbitMq,
            ["Pipeline__Bus__EntityPrefix"] = "bench-" + id, // queues and exchanges of this measurement only
            ["Pipeline__Artifacts__Store"] = "S3",
            ["Pipeline__Artifacts__S3__ServiceUrl"] = servers.S3Url,
            ["Pipeline__Artifacts__S3__Bucket"] = "bench-" + id,
            ["Pipeline__Artifacts__S3__AccessKey"] = Environment.GetEnvironmentVariable("PRUNE_TEST_S3_ACCESS_KEY") ?? "test",
            ["Pipeline__Artifacts__S3__SecretKey"] = Environment.GetEnvironmentVariable("PRUNE_TEST_S3_SECRET_KEY") ?? "test",
            ["Pipeline__EventStore__Store"] = "Postgres",
            ["Pipeline__EventStore__PostgresConnectionString"] = servers.Postgres,
            ["Pipeline__EventStore__PostgresSchema"] = "bench_" + id,
            // Distributed workers open only files under their roots: exactly the model and data this measurement was given.
            ["Pipeline__Roots__Models"] = Path.GetFullPath(template.ModelLocation),
            ["Pipeline__Roots__Data"] = string.Join(Path.PathSeparator,
                template.Evaluation.Datasets.Values.Prepend(template.Calibration.Path).Select(Path.GetFullPath)),
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__MassTransit"] = "Information", // "Bus started" tells us a process is ready
        };
        // One BLAS thread per pruner: on a machine with few cores, N pruners × several BLAS threads would only
        // oversubscribe the cores and hide what a second process buys.
        var prunerSettings = new Dictionary<string, string>(settings) { ["Pipeline__Threads"] = "1" };
        var processes = new List<ServiceProcess>();
        try
        {
            processes.Add(new ServiceProcess("coordinator", ServiceProcess.ServiceDll("coordinator", "PrunePipeline.Coordinator", configuration), settings));
            processes.Add(new ServiceProcess("calibrator", ServiceProcess.ServiceDll("calibrator", "PrunePipeline.Calibrator", configuration), settings));
            processes.Add(new ServiceProcess("finetuner", ServiceProcess.ServiceDll("finetuner", "PrunePipeline.Finetuner", configuration), settings));
            processes.Add(new ServiceProcess("evaluator", ServiceProcess.ServiceDll("evaluator", "PrunePipeline.Evaluator", configuration), settings));
            for (var i = 1; i <= pruners; i++)
                processes.Add(new ServiceProcess($"pruner-{i}", ServiceProcess.ServiceDll("pruner", "PrunePipeline.Pruner", configuration), prunerSettings));
            await Task.WhenAll(processes.Select(p => p.Started)).WaitAsync(TimeSpan.FromSeconds(90), ct);

            var config = new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(kv => kv.Key.Replace("__", ":"), kv => (string?)kv.Value)).Build();
            var services = new ServiceCollection().AddLogging();
            services.AddPipeline(config, "prunectl", EmbeddedPipeline.NoStages);
            await using var provider = services.BuildServiceProvider();
            var bus = provider.GetRequiredService<IBusControl>();
            await bus.StartAsync(ct);
            try
            {
                var request = template with { RunId = Guid.NewGuid(), Mode = PruneMode.OneShot };
                var wall = Stopwatch.StartNew();
                await bus.Publish(request, ct);
                var events = await RunFollower.FollowAsync(provider.GetRequiredService<IEventStore>(), request.RunId, (_, _) => { }, timeout, ct);
                wall.Stop();
                if (events[^1].Data is RunFailed f) throw new InvalidOperationException($"scale-out run with {pruners} pruner(s) failed at {f.Stage}: {f.Reason}");
                var pruned = events.Where(e => e.Data is LayerPruned).ToList();
                var span = (pruned[^1].Timestamp - pruned[0].Timestamp).TotalSeconds;
                // n layers finish in n−1 intervals between the first and the last LayerPruned.
                var perMinute = pruned.Count > 1 && span > 0 ? (pruned.Count - 1) / span * 60 : double.NaN;
                var workers = pruned.Select(e => ((LayerPruned)e.Data).Worker).Distinct().Count();
                return (pruned.Count, span, perMinute, workers, wall.Elapsed.TotalSeconds);
            }
            finally
            {
                await bus.StopAsync(CancellationToken.None);
            }
        }
        finally
        {
            foreach (var p in processes) p.Dispose();
        }
    }

    public static async Task RunAsync(Servers servers, PruneRequested template, string configuration, CancellationToken ct)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"scale-out (distributed, one-shot, {template.Method.Method}; coordinator, calibrator, finetuner, evaluator and N pruners as separate processes;");
        Console.WriteLine($"           pruners run with Pipeline__Threads=1 (one torch thread); this machine has {Environment.ProcessorCount} cores)");
        var results = new List<double>();
        foreach (var n in new[] { 1, 2 })
        {
            var (layers, span, perMinute, workers, wall) = await MeasureAsync(servers, template, n, configuration, TimeSpan.FromMinutes(30), ct);
            results.Add(perMinute);
            Console.WriteLine(string.Format(inv, "  {0} pruner process(es): {1,7:F1} layers/min ({2} layers in {3:F1} s first→last LayerPruned; {4} process(es) did layers; run wall {5:F1} s)",
                n, perMinute, layers, span, workers, wall));
        }
        Console.WriteLine(string.Format(inv, "  speed-up 2 vs 1 pruner: ×{0:F2}", results[1] / results[0]));
    }
}
