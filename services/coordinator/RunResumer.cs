using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PrunePipeline.Coordinator;

/// <summary>On start-up, re-sends what every unfinished run is waiting for. Consumers are idempotent and artifacts
/// content-addressed, so a command that was in flight when the coordinator stopped is at worst done twice.</summary>
public sealed class RunResumer(RunCoordinator coordinator, IBus bus, ILogger<RunResumer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var pending = await coordinator.PendingOfUnfinishedRunsAsync(stoppingToken);
            if (pending.Count > 0) logger.LogInformation("resuming: re-sending {Count} pending commands", pending.Count);
            await coordinator.SendAsync(bus, pending, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
