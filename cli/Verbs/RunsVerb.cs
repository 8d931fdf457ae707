using System.Globalization;
using PrunePipeline.Cli.Pipeline;
using PrunePipeline.ServiceDefaults;

namespace PrunePipeline.Cli.Verbs;

/// <summary>prunectl runs: the run-summary projection (status, stage, layers pruned, perplexities), newest first.</summary>
public sealed class RunsVerb : IVerb
{
    public string Name => "runs";

    public string Summary => "list pipeline runs with status and perplexities";

    public string Usage => "usage: prunectl runs [--limit N]\n" + PipelineConfiguration.OptionsUsage;

    public async Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var limit = args.Int("limit", 50);
        var configuration = PipelineConfiguration.Build(args);
        args.ThrowOnUnused();
        await using var host = await PipelineHost.StartAsync(configuration, embedded: false, cancellationToken);
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"{"run",-36}  {"status",-9} {"stage",-10} {"method",-9} {"layers",6}  {"updated (UTC)",-19}  perplexities");
        foreach (var r in await host.Events.ListRunsAsync(limit, cancellationToken))
            Console.WriteLine(string.Format(inv, "{0,-36}  {1,-9} {2,-10} {3,-9} {4,6}  {5:yyyy-MM-dd HH:mm:ss}  {6}", r.RunId, r.Status, r.Stage,
                r.Method ?? "-", r.LayersPruned, r.Updated.UtcDateTime,
                string.Join(", ", r.Perplexities.Select(p => string.Format(inv, "{0} {1:F3}", p.Key, p.Value)))) +
                (r.FailureReason is null ? "" : "  " + r.FailureReason));
        return 0;
    }
}
