using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using PrunePipeline.Contracts;
using Xunit.Abstractions;

namespace PrunePipeline.Pipeline.Tests;

/// <summary>MassTransit 8.4 over a real RabbitMQ (scripts/servers.sh): publish/consume of the pipeline's entry message,
/// and the request/response round-trip time the distributed pipeline pays per message.</summary>
public sealed class RabbitMqAdapterTests(ITestOutputHelper output)
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    // A private, auto-deleted queue per test, so runs never see each other's messages or leave queues behind.
    static async Task<(ServiceProvider Provider, IBusControl Bus)> StartBus(Action<IBusRegistrationConfigurator> consumers,
        Action<IRabbitMqBusFactoryConfigurator, IBusRegistrationContext> endpoints, Action<IServiceCollection>? services = null)
    {
        var uri = new Uri(TestServers.Require("PRUNE_TEST_RABBITMQ"));
        var collection = new ServiceCollection();
        collection.AddLogging();
        services?.Invoke(collection);
        collection.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry(); // otherwise it tries to reach the internet
            consumers(x);
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(uri);
                endpoints(cfg, context);
            });
        });
        var provider = collection.BuildServiceProvider();
        var bus = provider.GetRequiredService<IBusControl>();
        using var cts = new CancellationTokenSource(Timeout);
        await bus.StartAsync(cts.Token);
        return (provider, bus);
    }

    [Fact]
    public async Task A_published_PruneRequested_reaches_its_consumer()
    {
        var state = new RecorderState(Guid.NewGuid());
        var (provider, bus) = await StartBus(
            x => x.AddConsumer<PruneRequestedRecorder>(),
            (cfg, context) => cfg.ReceiveEndpoint($"prune-test-requested-{Guid.NewGuid():N}", e =>
            {
                e.AutoDelete = true;
                e.Durable = false;
                e.ConfigureConsumer<PruneRequestedRecorder>(context);
            }),
            s => s.AddSingleton(state));
        try
        {
            var request = new PruneRequested(state.RunId, "/models/stories260K",
                new CalibrationSettings("/data/c4.jsonl", Samplers.RandomWindow, 32, 256, 7), PruneModes.OneShot,
                new PruneMethodSettings("prox", Refine: "gd", RefineSteps: 50, Lambda0: 0.001, Beta: 1.005, MaxIters: 500),
                new EvaluationSettings(new Dictionary<string, string> { ["tinystories"] = "/data/tinystories/val.jsonl" }, 256), "key-1");
            await bus.Publish(request);
            var received = await state.Received.Task.WaitAsync(Timeout);

            Assert.Equal(request.Calibration, received.Calibration);
            Assert.Equal(request.Method, received.Method);
            Assert.Equal(PruneModes.OneShot, received.Mode);
            Assert.Equal("/data/tinystories/val.jsonl", received.Evaluation.Datasets["tinystories"]);
            Assert.Equal(256, received.Evaluation.SeqLen);
            Assert.Equal("key-1", received.IdempotencyKey);
        }
        finally
        {
            await bus.StopAsync();
            await provider.DisposeAsync();
        }
    }

    [Fact]
    public async Task Request_response_round_trip_latency()
    {
        var queue = $"prune-test-echo-{Guid.NewGuid():N}";
        var (provider, bus) = await StartBus(
            x => x.AddConsumer<EchoConsumer>(),
            (cfg, context) => cfg.ReceiveEndpoint(queue, e =>
            {
                e.AutoDelete = true;
                e.Durable = false;
                e.ConfigureConsumer<EchoConsumer>(context);
            }));
        try
        {
            // The address must repeat the queue's settings: the send side declares it too, and a mismatch is refused.
            var client = bus.CreateRequestClient<LatencyProbe>(new Uri($"queue:{queue}?durable=false&autodelete=true"), RequestTimeout.After(s: 10));
            var run = Guid.NewGuid();
            for (var i = 0; i < 20; i++) await client.GetResponse<LatencyEcho>(new LatencyProbe(run, -1)); // warm-up (JIT, channels)

            const int n = 200;
            var ms = new double[n];
            for (var i = 0; i < n; i++)
            {
                var sw = Stopwatch.StartNew();
                var response = await client.GetResponse<LatencyEcho>(new LatencyProbe(run, i));
                ms[i] = sw.Elapsed.TotalMilliseconds;
                Assert.Equal(i, response.Message.Index);
            }
            Array.Sort(ms);
            output.WriteLine($"RabbitMQ request/response round trip over {n} sequential requests (MassTransit 8.4, loopback): " +
                             $"mean {ms.Average():F2} ms, p50 {ms[n / 2]:F2} ms, p95 {ms[(int)(n * 0.95)]:F2} ms, max {ms[^1]:F2} ms");
        }
        finally
        {
            await bus.StopAsync();
            await provider.DisposeAsync();
        }
    }
}
