using System.Globalization;
using PrunePipeline.Pruning;
using PrunePipeline.Tensors;
using static TorchSharp.torch;

namespace PrunePipeline.Cli.Verbs;

/// <summary>
/// bench-prune --compare (issue #12): on random correlated layers, the paper's prox schedule with its GD refinement
/// against the adaptive schedule (active rows, CG refinement), and SparseGPT + CG as the floor that the adaptive
/// schedule must never be worse than. Work in GEMM-equivalents (one m×n×n GEMM = 1), wall time, local loss.
/// <paramref name="only"/> runs one of the three (one line per shape), so the long paper runs and the adaptive runs can
/// be measured separately; <paramref name="adaptive"/> carries the adaptive schedule's settings (its knobs are options
/// of the verb, for experiments).
/// </summary>
internal static class ScheduleComparison
{
    public static void Run(int[] sizes, double[] ratios, int maxIters, int refineSteps, LayerPruneSettings adaptive, string? only,
        bool trace, Device device, CancellationToken ct)
    {
        Console.WriteLine($"torch device: {TorchDevices.Name(device)}; threads: {TorchRuntime.Threads}; paper capped at {maxIters} prox iterations + {refineSteps} GD steps");
        Console.WriteLine(only is null ? Header : "|    n |     m | run | iters | GEMM-eq (prox + refine) | s | loss |");
        Console.WriteLine(only is null ? Separator : "|-----:|------:|-----|------:|------------------------:|--:|-----:|");
        RandomLayers.ForEachShape(sizes, ratios, device, ct, (n, m, w, h) =>
        {
            Action<PruneProgress>? progress = trace
                ? p => { if (p.Stage == "prox") Console.WriteLine($"  k={p.Iteration} λ={p.Lambda:G4} dense={p.DenseGroups}"); }
                : null;
            LayerPruneResult Paper() => LayerPruner.Run(w, h, new LayerPruneSettings(PruneMethod.Prox, Schedule: ProxSchedule.Paper,
                MaxIters: maxIters, RefineSteps: refineSteps), progress, ct);
            LayerPruneResult Adaptive() => LayerPruner.Run(w, h, adaptive, progress, ct);
            LayerPruneResult SparseGptCg() => LayerPruner.Run(w, h, new LayerPruneSettings(PruneMethod.SparseGpt, Refine: RefineMode.Cg), ct: ct);
            switch (only)
            {
                case null: Console.WriteLine(Row($"{n,4} | {m,5}", Paper(), Adaptive(), SparseGptCg())); break;
                case "paper": Console.WriteLine(Single(n, m, only, Paper())); break;
                case "adaptive": Console.WriteLine(Single(n, m, only, Adaptive())); break;
                default: Console.WriteLine(Single(n, m, only, SparseGptCg())); break;
            }
        });
    }

    internal const string Header =
        "| layer | paper iters | paper GEMM-eq | paper s | paper loss | adaptive iters | adaptive GEMM-eq | adaptive s | adaptive loss | GEMM ratio | loss vs paper | SparseGPT+CG loss |";

    internal const string Separator =
        "|------:|------------:|--------------:|--------:|-----------:|---------------:|-----------------:|-----------:|--------------:|-----------:|--------------:|------------------:|";

    internal static double Gemms(LayerPruneResult r) => r.MethodGemmEquivalents + r.RefineGemmEquivalents;

    internal static double Seconds(LayerPruneResult r) => (r.MethodTime + r.RefineTime).TotalSeconds;

    internal static string Row(string layer, LayerPruneResult paper, LayerPruneResult mine, LayerPruneResult sgpt) =>
        string.Create(CultureInfo.InvariantCulture,
            $"| {layer} | {paper.Iterations,10}{(paper.HitMaxIterations ? "*" : " ")} | {Gemms(paper),13:F0} | {Seconds(paper),7:F1} | {paper.LossAfterRefine,10:G5} | " +
            $"{mine.Iterations,14} | {Gemms(mine),16:F1} | {Seconds(mine),10:F1} | {mine.LossAfterRefine,13:G5} | {100 * Gemms(mine) / Gemms(paper),9:F1}% | " +
            $"{100 * (mine.LossAfterRefine / paper.LossAfterRefine - 1),+12:F2}% | {sgpt.LossAfterRefine,17:G5} |");

    private static string Single(int n, int m, string run, LayerPruneResult r) =>
        string.Create(CultureInfo.InvariantCulture,
            $"| {n,4} | {m,5} | {run} | {r.Iterations}{(r.HitMaxIterations ? "*" : "")} | {Gemms(r):F1} ({r.MethodGemmEquivalents:F1} + {r.RefineGemmEquivalents:F0}) | {Seconds(r):F1} | {r.LossAfterRefine:G6} |");
}
