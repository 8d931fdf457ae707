using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using PrunePipeline.Contracts;
using PrunePipeline.EventStore;
using PrunePipeline.Pipeline.Configuration;
using PrunePipeline.Pipeline.Hosting;

namespace PrunePipeline.Pipeline.Tests;

/// <summary>A stage that faults past its retries (Fault&lt;T&gt;) must end the run with RunFailed in its history.</summary>
public sealed class StageFaultTests
{
    [Fact]
    public async Task A_fault_that_exhausts_retries_appends_RunFailed_naming_the_stage_and_the_cause()
    {
        var dir = PipelineTestData.TempDir("fault");
        var options = new PipelineOptions();
        options.Artifacts.FolderPath = Path.Combine(dir, "artifacts");
        options.EventStore.SqlitePath = Path.Combine(dir, "events.db");
        var services = new ServiceCollection().AddLogging();
        services.AddPipelineServices(options, PipelineRoles.Coordinator);
        services.AddMassTransitTestHarness(x =>
        {
            x.AddPipelineConsumers(PipelineRoles.Coordinator);
            x.AddConsumer<FailingCalibrator>();
        });
        await using var provider = services.BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        var request = new PruneRequested(Guid.NewGuid(), PipelineTestData.Stories260K,
            new CalibrationSettings(PipelineTestData.C4Calibration, Samplers.Packed, 2, 16, 0), PruneModes.Sequential,
            new PruneMethodSettings("magnitude", "none"), new EvaluationSettings(new Dictionary<string, string>()));
        await harness.Bus.Publish(request);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        StoredEvent? last = null;
        var store = provider.GetRequiredService<IEventStore>();
        await foreach (var e in store.FollowStreamAsync(request.RunId, 1, TimeSpan.FromMilliseconds(50), e => e.Data is RunCompleted or RunFailed, cts.Token))
            last = e;
        var failed = Assert.IsType<RunFailed>(last?.Data);
        Assert.Equal(PipelineStages.Calibrate, failed.Stage);
        Assert.Contains("block 0", failed.Reason);
        Assert.Contains("IOException", failed.Reason);
        Assert.Contains("disk on fire", failed.Reason);
        Assert.Equal(RunStatuses.Failed, (await store.GetRunAsync(request.RunId))?.Status);
        Assert.True(await harness.Published.Any<Fault<CalibrateBlock>>());
    }
}
