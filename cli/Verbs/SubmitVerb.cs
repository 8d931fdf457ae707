using PrunePipeline.Cli.Pipeline;

namespace PrunePipeline.Cli.Verbs;

/// <summary>prunectl submit: publish a PruneRequested (RabbitMQ when configured) and print the run id.</summary>
public sealed class SubmitVerb : IVerb
{
    public string Name => "submit";

    public string Summary => "publish a PruneRequested to the pipeline and print the run id";

    public string Usage => "usage: prunectl submit --model DIR --method M --calib PATH [prune options] [--idempotency-key K]\n" +
                           "  paths must be valid where the services run. With an embedded configuration the pipeline runs in this process.\n" +
                           PruneOptions.Usage + PipelineConfiguration.OptionsUsage;

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var key = args.Optional("idempotency-key");
        // The same key names the same run, so re-submitting after a lost reply starts nothing new.
        var runId = key is null ? Guid.NewGuid() : PrunePipeline.ServiceDefaults.MessageIds.Command(Guid.Empty, "run/" + key);
        var request = PruneOptions.Parse(args).ToPruneRequested(runId, key);
        var configuration = PipelineConfiguration.Build(args);
        args.ThrowOnUnused();
        return RunSubmission.SubmitAsync(configuration, request, runId, cancellationToken);
    }
}
