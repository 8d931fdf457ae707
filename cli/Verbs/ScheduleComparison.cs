using System.Globalization;
using PrunePipeline.Pruning;
using PrunePipeline.Tensors;
using static TorchSharp.torch;

namespace PrunePipeline.Cli.Verbs;

/// <summary>
/// bench-prune --compare (issue #12): on random correlated layers, the paper's prox schedule with its GD refinement
/// against the new default (adaptive schedule, active rows, CG refinement), and SparseGPT + CG as the floor that the
/// new default must never be worse than. Work in GEMM-equivalents (one m×n×n GEMM = 1), wall time, local loss.
/// </summary>
internal static class ScheduleComparison
{
    public static void Run(int[] sizes, double[] ratios, int maxIters, int refineSteps, Device device, CancellationToken ct)
    {
        Console.WriteLine($"torch device: {TorchDevices.Name(device)}; threads: {TorchRuntime.Threads}; paper capped at {maxIters} prox iterations + {refineSteps} GD steps");
        Console.WriteLine("|    n |     m | paper iters | paper GEMM-eq | paper s | paper loss | new iters | new GEMM-eq | new s | new loss | GEMM ratio | loss vs paper | SparseGPT+CG loss |");
        Console.WriteLine("|-----:|------:|------------:|--------------:|--------:|-----------:|----------:|------------:|------:|---------:|-----------:|--------------:|------------------:|");
        RandomLayers.ForEachShape(sizes, ratios, device, ct, (n, m, w, h) =>
        {
            var paper = LayerPruner.Run(w, h, new LayerPruneSettings(PruneMethod.Prox, Schedule: ProxSchedule.Paper,
                MaxIters: maxIters, RefineSteps: refineSteps), ct: ct);
            var mine = LayerPruner.Run(w, h, new LayerPruneSettings(PruneMethod.Prox), ct: ct);
            var sgpt = LayerPruner.Run(w, h, new LayerPruneSettings(PruneMethod.SparseGpt, Refine: RefineMode.Cg), ct: ct);
            Console.WriteLine(Row(n, m, paper, mine, sgpt));
        });
    }

    internal static string Row(int n, int m, LayerPruneResult paper, LayerPruneResult mine, LayerPruneResult sgpt)
    {
        var paperGemms = paper.MethodGemmEquivalents + paper.RefineGemmEquivalents;
        var mineGemms = mine.MethodGemmEquivalents + mine.RefineGemmEquivalents;
        return string.Create(CultureInfo.InvariantCulture,
            $"| {n,4} | {m,5} | {paper.Iterations,10}{(paper.HitMaxIterations ? "*" : " ")} | {paperGemms,13:F0} | {Seconds(paper),7:F1} | {paper.LossAfterRefine,10:G5} | " +
            $"{mine.Iterations,9} | {mineGemms,11:F1} | {Seconds(mine),5:F1} | {mine.LossAfterRefine,8:G5} | {100 * mineGemms / paperGemms,9:F1}% | " +
            $"{100 * (mine.LossAfterRefine / paper.LossAfterRefine - 1),+12:F2}% | {sgpt.LossAfterRefine,17:G5} |");
    }

    private static double Seconds(LayerPruneResult r) => (r.MethodTime + r.RefineTime).TotalSeconds;
}
