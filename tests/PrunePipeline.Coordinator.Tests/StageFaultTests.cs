using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using PrunePipeline.Contracts;
using PrunePipeline.EventStore;
using PrunePipeline.ServiceDefaults.Configuration;
using PrunePipeline.ServiceDefaults;

namespace PrunePipeline.Coordinator.Tests;

/// <summary>A stage that faults past its retries (Fault&lt;T&gt;) must end the run with RunFailed in its history.</summary>
public sealed class StageFaultTests
{
    [Fact]
    public async Task A_fault_that_exhausts_retries_appends_RunFailed_naming_the_stage_and_the_cause()
    {
        var dir = PipelineTestData.TempDir("fault");
        var options = PipelineTestData.EmbeddedOptions(dir);
        var services = new ServiceCollection().AddLogging();
        services.AddPipelineCore(options, "coordinator");
        services.AddMassTransitTestHarness(x =>
        {
            x.AddCoordinator();
            x.AddConsumer<FailingCalibrator>();
        });
        await using var provider = services.BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();
        var request = new PruneRequested(Guid.NewGuid(), PipelineTestData.Stories260K,
            new CalibrationSettings(PipelineTestData.C4Calibration, Samplers.Packed, 2, 16, 0), PruneMode.Sequential,
            new PruneMethodSettings("magnitude", "none"), new EvaluationSettings(new Dictionary<string, string>()));
        await harness.Bus.Publish(request);

        var store = provider.GetRequiredService<IEventStore>();
        var last = (await RunProgress.UntilEndAsync(store, request.RunId))[^1];
        var failed = Assert.IsType<RunFailed>(last.Data);
        Assert.Equal(PipelineStages.Calibrate, failed.Stage);
        Assert.Contains("block 0", failed.Reason);
        Assert.Contains("IOException", failed.Reason);
        Assert.Contains("disk on fire", failed.Reason);
        Assert.Equal(RunStatuses.Failed, (await store.GetRunAsync(request.RunId))?.Status);
        Assert.True(await harness.Published.Any<Fault<CalibrateBlock>>());
    }
}
