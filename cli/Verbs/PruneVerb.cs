using System.Globalization;
using PrunePipeline.Model;
using PrunePipeline.Workflow;
using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.Cli.Verbs;

/// <summary>prunectl prune: whole-model 2:4 pruning in one process (issue 4).</summary>
public sealed class PruneVerb : IVerb
{
    public string Name => "prune";

    public string Summary => "prune a model to 2:4 (prox, wanda, sparsegpt, magnitude) and write an HF directory";

    public string Usage => """
        usage: prunectl prune --model DIR --method prox|wanda|sparsegpt|magnitude|proxsparse --calib PATH --out OUTDIR [options]
          --refine none|gd|exact    masked refinement after the method (default gd; for prox "none" skips step 6)
          --refine-steps N          gradient steps of gd refinement (default 1000)
          --lambda0 X --beta X --max-iters N   prox schedule (defaults 0.01, 1.01, 2000)
          --damping X               SparseGPT relative damping δ (default 0.01)
          --calib PATH              JSON lines with a "text" field (plain or .gz), or a .txt split on <|endoftext|>
          --sampler packed|random-window   (default random-window)
          --nsamples N              calibration sequences (default 128)
          --seqlen N                tokens per calibration sequence (default min(2048, model max))
          --seed N                  sampler seed (default 0)
          --mode sequential|one-shot   (default sequential)
          --pattern 2:4             sparsity pattern (only 2:4)
          --eval NAME=PATH[,NAME=PATH…]  wikitext2, c4, tinystories perplexity before and after
          --eval-seqlen N           evaluation window (default min(2048, model max))
          --no-dense-eval           skip the dense ("before") perplexities
          --force                   replace a non-empty OUTDIR
        """ + TrainingPrune.Usage;

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var modelDir = args.Required("model");
        var method = args.Required("method").ToLowerInvariant();
        if (TrainingPrune.Applies(args, method)) return Task.FromResult(TrainingPrune.Run(args, method, cancellationToken));
        var calibPath = args.Required("calib");
        var outDir = args.Required("out");
        var parameters = new PruneParameters(
            method,
            (args.Optional("refine") ?? "gd").ToLowerInvariant(),
            args.Int("refine-steps", 1000),
            args.Double("lambda0", 0.01),
            args.Double("beta", 1.01),
            args.Int("max-iters", 2000),
            args.Double("damping", 0.01),
            args.Optional("pattern") ?? "2:4");
        var sampler = (args.Optional("sampler") ?? "random-window").ToLowerInvariant();
        var nsamples = args.Int("nsamples", 128);
        var seqLenArg = args.OptionalInt("seqlen");
        var seed = args.Int("seed", 0);
        var modeText = (args.Optional("mode") ?? "sequential").ToLowerInvariant();
        var eval = ParseEval(args.All("eval"));
        var evalSeqLen = args.OptionalInt("eval-seqlen");
        var noDense = args.Flag("no-dense-eval");
        var force = args.Flag("force");
        args.ThrowOnUnused();

        if (!PruneParameters.Methods.Contains(method)) throw new UsageException($"--method must be one of {string.Join(", ", PruneParameters.Methods)}, got '{method}'.");
        if (!PruneParameters.RefineKinds.Contains(parameters.Refine)) throw new UsageException($"--refine must be none, gd or exact, got '{parameters.Refine}'.");
        if (sampler is not ("packed" or "random-window")) throw new UsageException($"--sampler must be packed or random-window, got '{sampler}'.");
        var mode = modeText switch
        {
            "sequential" => PruneMode.Sequential,
            "one-shot" or "oneshot" => PruneMode.OneShot,
            _ => throw new UsageException($"--mode must be sequential or one-shot, got '{modeText}'."),
        };
        if (nsamples < 1) throw new UsageException($"--nsamples must be ≥ 1, got {nsamples}.");
        if (!Directory.Exists(modelDir)) throw new DirectoryNotFoundException($"model directory not found: {modelDir}");
        var seqLen = seqLenArg ?? PruneRun.DefaultSeqLen(LlamaConfig.Load(Path.Combine(modelDir, "config.json")));

        var request = new PruneRequest(modelDir, outDir, parameters, new CalibrationSettings(calibPath, sampler, nsamples, seqLen, seed),
            mode, eval, evalSeqLen, force, !noDense);
        var renderer = new ProgressRenderer(Console.Error);
        var report = PruneRun.Execute(request, renderer.Render, cancellationToken);
        renderer.Done();
        PrintSummary(report, outDir);
        return Task.FromResult(0);
    }

    internal static List<EvalDatasetSpec> ParseEval(IReadOnlyList<string> values)
    {
        var list = new List<EvalDatasetSpec>();
        foreach (var item in values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var eq = item.IndexOf('=');
            if (eq <= 0 || eq == item.Length - 1) throw new UsageException($"--eval takes NAME=PATH (wikitext2, c4, tinystories), got '{item}'.");
            var name = item[..eq].ToLowerInvariant();
            if (name is not ("wikitext2" or "c4" or "tinystories")) throw new UsageException($"--eval: unknown data set '{name}'; use wikitext2, c4 or tinystories.");
            if (list.Any(e => e.Name == name)) throw new UsageException($"--eval names '{name}' twice.");
            list.Add(new EvalDatasetSpec(name, item[(eq + 1)..]));
        }
        return list;
    }

    private static void PrintSummary(PruneReport r, string outDir)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"pruned {r.Layers.Count} linears of {r.SourceModel} with {r.Label} ({r.Pattern}, {r.Mode}) → {outDir}");
        Console.WriteLine($"calibration: {r.Calibration.Path}, {r.Calibration.Sampler} {r.Calibration.NSamples}×{r.Calibration.SeqLen} = {r.CalibrationTokens} tokens, seed {r.Seed}");
        Console.WriteLine();
        Console.WriteLine($"{"block",5}  {"linear",-17} {"rows×cols",12} {"loss (method)",14} {"loss (refined)",14} {"iters",6} {"final λ",9} {"seconds",8}");
        foreach (var l in r.Layers)
            Console.WriteLine(string.Format(inv, "{0,5}  {1,-17} {2,12} {3,14:G5} {4,14:G5} {5,6} {6,9} {7,8:F2}", l.Block, l.Linear, $"{l.Rows}×{l.Cols}",
                l.LossBeforeRefine, l.LossAfterRefine, l.Iterations, l.FinalLambda is { } fl ? fl.ToString("G3", inv) : "-", l.MethodSeconds + l.RefineSeconds));
        if (r.Evaluation.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine($"{"dataset",-12} {"seqlen",6} {"dense ppl",10} {"pruned ppl",11}  convention");
            foreach (var e in r.Evaluation)
                Console.WriteLine(string.Format(inv, "{0,-12} {1,6} {2,10} {3,11:F3}  {4}", e.Dataset, e.SeqLen,
                    e.PerplexityBefore is { } b ? b.ToString("F3", inv) : "-", e.PerplexityAfter, e.Convention));
        }
        Console.WriteLine();
        Console.WriteLine(string.Format(inv, "time: calibration {0:F1} s, pruning {1:F1} s, evaluation {2:F1} s, total {3:F1} s",
            r.CalibrationSeconds, r.PruneSeconds, r.EvaluationSeconds, r.TotalSeconds));
    }
}
