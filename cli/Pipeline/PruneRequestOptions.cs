using PrunePipeline.Cli.Verbs;
using PrunePipeline.Contracts;
using PrunePipeline.Model;
using PrunePipeline.Workflow;
using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.Cli.Pipeline;

/// <summary>The options of <c>prunectl prune</c> (same names, same defaults) turned into a PruneRequested, so
/// <c>run</c> / <c>submit</c> prune exactly what <c>prune</c> would.</summary>
internal static class PruneRequestOptions
{
    public const string Usage = """
          --method prox|wanda|sparsegpt|magnitude, --refine none|gd|exact (default gd), --refine-steps N,
          --lambda0 X --beta X --max-iters N, --damping X, --calib PATH, --sampler packed|random-window,
          --nsamples N, --seqlen N, --seed N, --mode sequential|one-shot, --pattern 2:4, --schedule adaptive|paper,
          --eval NAME=PATH[,…], --eval-seqlen N: as for prunectl prune
        """;

    public static PruneRequested Parse(CliArgs args, Guid runId)
    {
        var modelDir = Path.GetFullPath(args.Required("model"));
        var method = args.Required("method").ToLowerInvariant();
        var calib = Path.GetFullPath(args.Required("calib"));
        var schedule = (args.Optional("schedule") ?? "adaptive").ToLowerInvariant();
        var parameters = new PruneParameters(method, (args.Optional("refine") ?? PruneParameters.DefaultRefine(schedule)).ToLowerInvariant(),
            args.Int("refine-steps", 1000), args.Double("lambda0", 0.01), args.Double("beta", 1.01), args.Int("max-iters", 2000),
            args.Double("damping", 0.01), args.Optional("pattern") ?? "2:4", schedule);
        var sampler = (args.Optional("sampler") ?? "random-window").ToLowerInvariant();
        var nsamples = args.Int("nsamples", 128);
        var seqLenArg = args.OptionalInt("seqlen");
        var seed = args.Int("seed", 0);
        var mode = (args.Optional("mode") ?? "sequential").ToLowerInvariant();
        var eval = PruneVerb.ParseEval(args.All("eval"));
        var evalSeqLen = args.OptionalInt("eval-seqlen");
        args.Flag("no-dense-eval"); // accepted for parity with prune; the pipeline evaluates the pruned model only

        if (!PruneParameters.Methods.Contains(method)) throw new UsageException($"--method must be one of {string.Join(", ", PruneParameters.Methods)}, got '{method}'.");
        if (sampler is not (Samplers.Packed or Samplers.RandomWindow)) throw new UsageException($"--sampler must be packed or random-window, got '{sampler}'.");
        if (mode == "oneshot") mode = PruneModes.OneShot;
        if (mode is not (PruneModes.Sequential or PruneModes.OneShot)) throw new UsageException($"--mode must be sequential or one-shot, got '{mode}'.");
        if (nsamples < 1) throw new UsageException($"--nsamples must be ≥ 1, got {nsamples}.");
        parameters.Validate();
        if (!Directory.Exists(modelDir)) throw new DirectoryNotFoundException($"model directory not found: {modelDir}");
        if (!File.Exists(calib)) throw new FileNotFoundException($"calibration file not found: {calib}", calib);
        var seqLen = seqLenArg ?? PruneRun.DefaultSeqLen(LlamaConfig.Load(Path.Combine(modelDir, "config.json")));
        var datasets = eval.ToDictionary(e => e.Name, e => Path.GetFullPath(e.Path));
        return new PruneRequested(runId, modelDir, new Contracts.CalibrationSettings(calib, sampler, nsamples, seqLen, seed), mode,
            new PruneMethodSettings(parameters.Method, parameters.Refine, parameters.RefineSteps, parameters.Lambda0, parameters.Beta,
                parameters.MaxIters, parameters.Damping, parameters.Pattern),
            new EvaluationSettings(datasets, evalSeqLen));
    }
}
