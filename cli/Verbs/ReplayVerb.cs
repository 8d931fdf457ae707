using PrunePipeline.Cli.Pipeline;
using PrunePipeline.Contracts;

namespace PrunePipeline.Cli.Verbs;

/// <summary>prunectl replay: a new run that reuses a run's Hessians and prunes again with other parameters.</summary>
public sealed class ReplayVerb : IVerb
{
    public string Name => "replay";

    public string Summary => "re-prune a run with a new λ schedule / method, reusing its Hessians (no calibration)";

    public string Usage => """
        usage: prunectl replay RUN --from prune [--lambda0 X] [--beta X] [--max-iters N] [--schedule paper|adaptive] [--method M]
                               [--refine none|gd|exact|cg] [--refine-steps N] [--damping X]
                               [--eval NAME=PATH,…] [--eval-seqlen N] [--no-dense-eval] [--text-column C]
          A new --method or --schedule without --refine takes that method's default refinement (prox: gd on the paper
          schedule, cg on the adaptive one; the baselines: none); otherwise the source run's settings are kept.
          The new run's events name the reused Hessian artifacts (BlockCalibrated with reused=true); the calibrator does
          no work. Trade-off in sequential mode: blocks > 0 of the source run were calibrated on the SOURCE run's pruned
          prefix, and the replay reuses those Hessians as they are (it does not recalibrate on its own pruned prefix), so
          its result can differ from a fresh sequential run with the same parameters. One-shot Hessians are exact.
        """ + "\n" + PipelineConfiguration.OptionsUsage;

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        if (args.Positional.Count != 1 || !Guid.TryParse(args.Positional[0], out var source)) throw new UsageException("replay takes one run id.");
        var from = args.Optional("from") ?? PipelineStages.Prune;
        var overrides = PruneOptions.Overrides(args);
        var configuration = PipelineConfiguration.Build(args);
        args.ThrowOnUnused();
        if (from != PipelineStages.Prune) throw new UsageException($"--from must be '{PipelineStages.Prune}' (the only stage a replay can start from), got '{from}'.");
        var runId = Guid.NewGuid();
        return RunSubmission.SubmitAsync(configuration, new ReplayRequested(runId, source, from, overrides), runId, cancellationToken);
    }
}
