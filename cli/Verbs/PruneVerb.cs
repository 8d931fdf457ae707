using System.Globalization;
using PrunePipeline.Workflow;
using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.Cli.Verbs;

/// <summary>prunectl prune: whole-model 2:4 pruning in one process (issue 4).</summary>
public sealed class PruneVerb : IVerb
{
    public string Name => "prune";

    public string Summary => "prune a model to 2:4 (prox, wanda, sparsegpt, magnitude) and write an HF directory";

    public string Usage => "usage: prunectl prune --model DIR --method prox|wanda|sparsegpt|magnitude|proxsparse --calib PATH --out OUTDIR [options]\n" +
                           PruneOptions.Usage + "  --force                   replace a non-empty OUTDIR\n\n" + ComputeOptions.Usage + "\n" + TrainingPrune.Usage;

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var method = args.Required("method").ToLowerInvariant();
        if (TrainingPrune.Applies(args, method)) return Task.FromResult(TrainingPrune.Run(args, method, cancellationToken));
        var options = PruneOptions.Parse(args);
        var outDir = args.Required("out");
        var force = args.Flag("force");
        ComputeOptions.Apply(args);
        args.ThrowOnUnused();

        var renderer = new ProgressRenderer(Console.Error);
        var report = PruneRun.Execute(options.ToPruneRequest(outDir, force), renderer.Render, cancellationToken);
        renderer.Done();
        PrintSummary(report, outDir);
        return Task.FromResult(0);
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
