using PrunePipeline.Cli.Pipeline;
using PrunePipeline.Contracts;
using PrunePipeline.Coordinator;
using PrunePipeline.EventStore;
using PrunePipeline.Model;
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
        List<StoredEvent> events = [];
        await AnsiConsole.Progress().AutoClear(false).StartAsync(async ctx =>
        {
            var blocks = ctx.AddTask("calibrated blocks", maxValue: 1);
            var pruned = ctx.AddTask("pruned layers", maxValue: 1);
            var refined = ctx.AddTask("refined layers", maxValue: 1);
            // Totals from the model's block count; progress from the fold (distinct blocks and layers, never double-counted).
            events = await RunFollower.FollowAsync(host.Events, runId, (e, state) =>
            {
                if (e.Data is PruneRequested r)
                {
                    var total = new ModelTopologies().Get(r.ModelLocation).Blocks;
                    blocks.MaxValue = total;
                    pruned.MaxValue = total * DecoderBlockWeights.LinearNames.Count;
                    refined.MaxValue = r.Method.Refines ? pruned.MaxValue : 1;
                }
                if (state is not null)
                {
                    blocks.Value = state.Calibrated.Count;
                    pruned.Value = state.Pruned.Count;
                    refined.Value = state.Request?.Method.Refines == false ? 1 : state.Refined.Count;
                }
                AnsiConsole.MarkupLine(Markup.Escape(RunFollower.Describe(e, state)));
            }, timeout, cancellationToken);
        });
        RunReport.Print(RunState.Fold(events), events, Console.Out);
        return events[^1].Data is RunCompleted ? 0 : 1;
    }
}
