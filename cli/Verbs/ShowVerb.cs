using PrunePipeline.Cli.Pipeline;
using PrunePipeline.EventStore;
using PrunePipeline.ServiceDefaults;

namespace PrunePipeline.Cli.Verbs;

/// <summary>prunectl show RUN: the run's whole history (every event, in order) and its results table.</summary>
public sealed class ShowVerb : IVerb
{
    public string Name => "show";

    public string Summary => "print a run's event history and results";

    public string Usage => "usage: prunectl show RUN\n" + PipelineConfiguration.OptionsUsage;

    public async Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        if (args.Positional.Count != 1 || !Guid.TryParse(args.Positional[0], out var runId)) throw new UsageException("show takes one run id.");
        var configuration = PipelineConfiguration.Build(args);
        args.ThrowOnUnused();
        await using var host = await PipelineHost.StartAsync(configuration, embedded: false, cancellationToken);
        var events = await host.Events.ReadStreamAsync(runId, 1, cancellationToken);
        if (events.Count == 0) throw new ArgumentException($"run {runId} is not in the event store.");
        RunState? state = null;
        foreach (var (e, after, line) in RunFollower.DescribeAll(events))
        {
            state = after;
            Console.WriteLine($"{e.Version,4}  {e.Timestamp.UtcDateTime:HH:mm:ss.fff}  {e.Type,-16}  {line}");
        }
        Console.WriteLine();
        RunReport.Print(state, events, Console.Out);
        return 0;
    }
}
