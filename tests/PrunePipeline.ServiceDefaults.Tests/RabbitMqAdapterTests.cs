using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PrunePipeline.Contracts;
using Xunit.Abstractions;

namespace PrunePipeline.ServiceDefaults.Tests;

/// <summary>OUR bus registration (<see cref="ServiceDefaultsExtensions.AddPipeline"/>: transport, entity prefix, endpoint
/// names, prefetch, the stage definition's retry policy) over a real RabbitMQ (scripts/servers.sh).</summary>
public sealed class RabbitMqAdapterTests(ITestOutputHelper output)
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    // A fresh entity prefix per test: its queues and exchanges are its own, so runs never see each other's messages.
    static async Task<(ServiceProvider Provider, IBusControl Bus)> StartBus(Action<IBusRegistrationConfigurator> stages,
        Action<IServiceCollection>? services = null)
    {
        var dir = Directory.CreateTempSubdirectory("pp-bus-").FullName;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pipeline:Bus:Transport"] = "RabbitMq",
            ["Pipeline:Bus:RabbitMqUri"] = TestServers.Require("PRUNE_TEST_RABBITMQ"),
            ["Pipeline:Bus:EntityPrefix"] = "bus-test-" + Guid.NewGuid().ToString("N")[..12],
            ["Pipeline:Artifacts:FolderPath"] = Path.Combine(dir, "artifacts"),
            ["Pipeline:EventStore:SqlitePath"] = Path.Combine(dir, "events.db"),
        }).Build();
        var collection = new ServiceCollection();
        collection.AddLogging();
        services?.Invoke(collection);
        collection.AddPipeline(configuration, "bus-test", stages);
        var provider = collection.BuildServiceProvider();
        var bus = provider.GetRequiredService<IBusControl>();
        using var cts = new CancellationTokenSource(Timeout);
        await bus.StartAsync(cts.Token);
        return (provider, bus);
    }

    [Fact]
    public async Task A_published_PruneRequested_reaches_its_consumer_through_our_registration()
    {
        var state = new RecorderState(Guid.NewGuid());
        var (provider, bus) = await StartBus(x => x.AddConsumer<PruneRequestedRecorder>(), s => s.AddSingleton(state));
        try
        {
            var request = new PruneRequested(state.RunId, "/models/stories260K",
                new CalibrationSettings("/data/c4.jsonl", Samplers.RandomWindow, 32, 256, 7), PruneMode.OneShot,
                new PruneMethodSettings("prox", Refine: "gd", RefineSteps: 50, Lambda0: 0.001, Beta: 1.005, MaxIters: 500),
                new EvaluationSettings(new Dictionary<string, string> { ["tinystories"] = "/data/tinystories/val.jsonl" }, 256), "key-1");
            await bus.Publish(request);
            var received = await state.Received.Task.WaitAsync(Timeout);

            Assert.Equal(request.Calibration, received.Calibration);
            Assert.Equal(request.Method, received.Method);
            Assert.Equal(PruneMode.OneShot, received.Mode);
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
    public async Task A_stage_retries_a_transient_fault_with_the_stage_intervals_and_then_succeeds()
    {
        var log = new FlakyLog();
        var (provider, bus) = await StartBus(x => x.AddConsumer<FlakyStageConsumer, FlakyStageConsumerDefinition>(), s => s.AddSingleton(log));
        try
        {
            var work = new FlakyWork(Guid.NewGuid(), FailuresBeforeSuccess: 2);
            await bus.Publish(work);
            Assert.Equal(work.Id, await log.Done.Task.WaitAsync(Timeout));

            var times = log.Attempts[work.Id].ToArray();
            Assert.Equal(3, times.Length); // two faults retried in-process, then success; no redelivery, no Fault<T>
            var intervals = StageConsumerDefinition<FlakyStageConsumer>.RetryIntervalsMs;
            for (var i = 1; i < times.Length; i++)
            {
                var waited = (times[i] - times[i - 1]).TotalMilliseconds;
                Assert.True(waited >= intervals[i - 1] * 0.9, $"retry {i} came after {waited:F0} ms, the policy says {intervals[i - 1]} ms");
            }
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
        var (provider, bus) = await StartBus(x => x.AddConsumer<EchoConsumer>());
        try
        {
            var client = bus.CreateRequestClient<LatencyProbe>(RequestTimeout.After(s: 10));
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
            output.WriteLine($"RabbitMQ request/response round trip over {n} sequential requests (MassTransit 8.5, loopback): " +
                             $"mean {ms.Average():F2} ms, p50 {ms[n / 2]:F2} ms, p95 {ms[(int)(n * 0.95)]:F2} ms, max {ms[^1]:F2} ms");
        }
        finally
        {
            await bus.StopAsync();
            await provider.DisposeAsync();
        }
    }
}
