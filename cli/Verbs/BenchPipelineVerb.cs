using System.Diagnostics;
using System.Globalization;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using PrunePipeline.Cli.Pipeline;
using PrunePipeline.Contracts;
using PrunePipeline.ServiceDefaults;
using PrunePipeline.Workflow;

namespace PrunePipeline.Cli.Verbs;

/// <summary>prunectl bench-pipeline: overhead of the embedded pipeline against prunectl prune on the same settings,
/// (with --rabbitmq) the request/response round trip through RabbitMQ, and (with RabbitMQ, PostgreSQL and S3 given as
/// options or PRUNE_TEST_* variables) layers per minute with one versus two pruner processes.</summary>
public sealed class BenchPipelineVerb : IVerb
{
    public string Name => "bench-pipeline";

    public string Summary => "time the embedded pipeline against prune; RabbitMQ round-trip latency; layers/min with 1 vs 2 pruners";

    public string Usage => "usage: prunectl bench-pipeline --model DIR --method M --calib PATH [prune options] [--repeat N] [--rabbitmq URI] [--pings N]\n" +
                           "         [--postgres CONNSTRING] [--s3-url URL] [--services-config Release|Debug] [--skip-embedded]\n" +
                           "  servers default to PRUNE_TEST_RABBITMQ / PRUNE_TEST_POSTGRES / PRUNE_TEST_S3_URL (scripts/servers.sh env);\n" +
                           "  with all three, the scale-out figure (one-shot, 1 then 2 pruner processes) is measured; the services must be built.\n" +
                           PruneOptions.Usage;

    public async Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        var request = PruneOptions.Parse(args).ToPruneRequested(Guid.Empty);
        var repeat = args.Int("repeat", 3);
        var rabbit = args.Optional("rabbitmq");
        var pings = args.Int("pings", 200);
        var postgres = args.Optional("postgres");
        var s3 = args.Optional("s3-url");
        var servicesConfig = args.Optional("services-config") ?? (AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release");
        var skipEmbedded = args.Flag("skip-embedded");
        args.ThrowOnUnused();
        var servers = ScaleOutBench.Resolve(rabbit, postgres, s3);
        rabbit ??= servers?.RabbitMq;
        if (skipEmbedded)
        {
            if (servers is null) throw new UsageException("--skip-embedded leaves only the scale-out figure, which needs RabbitMQ, PostgreSQL and S3 (options or PRUNE_TEST_* variables).");
            await ScaleOutBench.RunAsync(servers, request, servicesConfig, ct);
            return 0;
        }
        var inv = CultureInfo.InvariantCulture;
        var work = Directory.CreateTempSubdirectory("prune-bench-pipeline-").FullName;
        try
        {
            var prune = new List<double>();
            var run = new List<double>();
            // One embedded host for every repetition (its start-up, ~1 s, is a per-process constant, not per run).
            var config = PipelineConfiguration.Build(new CliArgs(["--work", Path.Combine(work, "pipeline")]));
            await using var host = await PipelineHost.StartAsync(config, embedded: true, ct);
            for (var i = 0; i <= repeat; i++) // i = 0 is the warm-up (JIT, page cache)
            {
                // A different seed for every repetition (the same for prune and run): the store is shared across
                // repetitions, and with one seed the content-addressed Hessians of the warm-up would be found again,
                // so the timed pipeline runs would skip calibration and look faster than prune.
                var r = request with { RunId = Guid.NewGuid(), Calibration = request.Calibration with { Seed = request.Calibration.Seed + i } };
                var sw = Stopwatch.StartNew();
                PruneRun.Execute(new PruneRequest(r.ModelLocation, Path.Combine(work, $"prune{i}"), r.Method,
                    r.Calibration, request.Mode == PruneMode.OneShot ? PruneMode.OneShot : PruneMode.Sequential, EvaluateDense: false), null, ct);
                if (i > 0) prune.Add(sw.Elapsed.TotalSeconds);

                sw.Restart();
                await host.Bus.Publish(r, ct);
                var events = await RunFollower.FollowAsync(host.Events, r.RunId, (_, _) => { }, TimeSpan.FromHours(1), ct);
                if (events[^1].Data is RunFailed f) throw new InvalidOperationException($"bench run failed at {f.Stage}: {f.Reason}");
                // The same output as prune: the model directory copied out of the store.
                await RunVerb.CopyModelAsync(host.Artifacts, ((RunCompleted)events[^1].Data).ModelPrefix, Path.Combine(work, $"run{i}"), false, RunVerb.Inputs(r), ct);
                if (i > 0) run.Add(sw.Elapsed.TotalSeconds);
            }
            double p = Median(prune), e = Median(run);
            Console.WriteLine(string.Format(inv, "prune (in-process):        median {0:F2} s over {1} runs [{2}]", p, repeat, string.Join(", ", prune.Select(x => x.ToString("F2", inv)))));
            Console.WriteLine(string.Format(inv, "run (embedded pipeline):   median {0:F2} s over {1} runs [{2}] (publish → model copied out)", e, repeat, string.Join(", ", run.Select(x => x.ToString("F2", inv)))));
            Console.WriteLine(string.Format(inv, "pipeline overhead:         {0:+0.0;-0.0} % (target ≤ 10 %)", 100 * (e - p) / p));
            if (rabbit is not null) await RoundTrip(rabbit, pings, ct);
            else Console.WriteLine("RabbitMQ round trip:       skipped (pass --rabbitmq URI)");
            if (servers is not null) await ScaleOutBench.RunAsync(servers, request, servicesConfig, ct);
            else Console.WriteLine("scale-out:                 skipped (needs RabbitMQ, PostgreSQL and S3: options or PRUNE_TEST_* variables)");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(work, true);
        }
        return 0;
    }

    static async Task RoundTrip(string uri, int n, CancellationToken ct)
    {
        var queue = $"prune-bench-ping-{Guid.NewGuid():N}";
        var services = new ServiceCollection();
        services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry();
            x.AddConsumer<BenchPingConsumer>();
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(new Uri(uri));
                cfg.ReceiveEndpoint(queue, e =>
                {
                    e.AutoDelete = true;
                    e.Durable = false;
                    e.ConfigureConsumer<BenchPingConsumer>(context);
                });
            });
        });
        await using var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync(ct);
        try
        {
            var client = bus.CreateRequestClient<BenchPing>(new Uri($"queue:{queue}?durable=false&autodelete=true"), RequestTimeout.After(s: 30));
            for (var i = 0; i < 20; i++) await client.GetResponse<BenchPong>(new BenchPing(-1), ct);
            var ms = new double[n];
            for (var i = 0; i < n; i++)
            {
                var sw = Stopwatch.StartNew();
                await client.GetResponse<BenchPong>(new BenchPing(i), ct);
                ms[i] = sw.Elapsed.TotalMilliseconds;
            }
            Array.Sort(ms);
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "RabbitMQ round trip:       mean {0:F2} ms, p50 {1:F2} ms, p95 {2:F2} ms over {3} sequential requests",
                ms.Average(), ms[n / 2], ms[(int)(n * 0.95)], n));
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }
    }

    static double Median(List<double> v)
    {
        var s = v.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}
