using PrunePipeline.Cli.Pipeline;
using PrunePipeline.Contracts;
using PrunePipeline.ServiceDefaults;
using Spectre.Console;

namespace PrunePipeline.Cli.Verbs;

/// <summary>prunectl watch RUN: follows a run's events with progress bars (calibrated blocks, pruned and refined
/// layers) until it completes or fails.</summary>
public sealed class WatchVerb : IVerb
{
    public string Name => "watch";

    public string Summary => "follow a run's events with progress bars until it ends";

    public string Usage => "usage: prunectl watch RUN [--timeout SECONDS]\n" + PipelineConfiguration.OptionsUsage;

    public async Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        if (args.Positional.Count != 1 || !Guid.TryParse(args.Positional[0], out var runId)) throw new UsageException("watch takes one run id.");
        var timeout = TimeSpan.FromSeconds(args.Int("timeout", 24 * 3600));
        var configuration = PipelineConfiguration.Build(args);
        args.ThrowOnUnused();
        await using var host = await PipelineHost.StartAsync(configuration, embedded: false, cancellationToken);
        if (await host.Events.GetRunAsync(runId, cancellationToken) is null) throw new ArgumentException($"run {runId} is not in the event store.");
        List<PrunePipeline.EventStore.StoredEvent> events = [];
        await AnsiConsole.Progress().AutoClear(false).StartAsync(async ctx =>
        {
            var blocks = ctx.AddTask("calibrated blocks", maxValue: 1);
            var pruned = ctx.AddTask("pruned layers", maxValue: 1);
            var refined = ctx.AddTask("refined layers", maxValue: 1);
            var total = 0;
            events = await RunFollower.FollowAsync(host.Events, runId, e =>
            {
                if (e.Data is PruneRequested r)
                {
                    var L = new PrunePipeline.Coordinator.ModelTopologies().Get(r.ModelLocation).Blocks;
                    total = L * 7;
                    blocks.MaxValue = L;
                    pruned.MaxValue = total;
                    refined.MaxValue = r.Method.Refine == "none" ? 1 : total;
                    if (r.Method.Refine == "none") refined.Value = 1;
                }
                if (e.Data is BlockCalibrated) blocks.Increment(1);
                if (e.Data is LayerPruned) pruned.Increment(1);
                if (e.Data is LayerRefined) refined.Increment(1);
                AnsiConsole.MarkupLine(Markup.Escape(RunFollower.Describe(e)));
            }, timeout, cancellationToken);
        });
        RunReport.Print(runId, events, Console.Out);
        return events[^1].Data is RunCompleted ? 0 : 1;
    }
}
