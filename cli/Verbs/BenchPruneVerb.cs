using System.Diagnostics;
using System.Globalization;
using PrunePipeline.Numerics;
using PrunePipeline.Pruning;
using PrunePipeline.Pruning.Prox;

namespace PrunePipeline.Cli.Verbs;

/// <summary>
/// prunectl bench-prune: speed of the pruning kernels on random n×n Hessians (H = XᵀX/N, N = 2n samples) with
/// m = n and m = 2.7n rows: sgemm rate at the iteration's shape (m×n×n), prox24 groups per second, Matrix Prox
/// Pruner time per iteration and its FLOP rate (2·m·n² per iteration) as a fraction of the sgemm rate, and
/// SparseGPT / Wanda time per layer. Figures only; no assertions.
/// </summary>
public sealed class BenchPruneVerb : IVerb
{
    public string Name => "bench-prune";

    public string Summary => "benchmark prox24, the Matrix Prox Pruner iteration, SparseGPT and Wanda";

    public string Usage => """
        usage: prunectl bench-prune [--sizes 512,1024,2048,4096] [--iters 5] [--threads 2] [--ratios 1,2.7] [--no-sparsegpt]
          For each n and m = round4(ratio·n): sgemm GFLOP/s (m×n×n, best single call), prox24 groups/s at t = η·λ0 and at a
          mid-schedule t = η·1.0, prox iteration ms and its fraction of the sgemm rate, SparseGPT and Wanda seconds.
        """;

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var sizes = (args.Optional("sizes") ?? "512,1024,2048,4096").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var ratios = (args.Optional("ratios") ?? "1,2.7").Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var iters = args.Int("iters", 5);
        var threads = args.Int("threads", 2);
        var skipSparseGpt = args.Flag("no-sparsegpt");
        args.ThrowOnUnused();
        if (iters < 1) throw new UsageException("--iters must be ≥ 1.");
        Blas.SetThreads(threads);
        Console.WriteLine($"OpenBLAS threads: {Blas.Threads}; .NET processors: {Environment.ProcessorCount}; AVX: {System.Runtime.Intrinsics.X86.Avx.IsSupported}; iterations timed: {iters}");
        Console.WriteLine("|    n |     m | sgemm GFLOP/s | prox24 Mgroups/s (t small / mid) | prox iter ms | iter GFLOP/s | % of sgemm | SparseGPT s | Wanda s |");
        Console.WriteLine("|-----:|------:|--------------:|---------------------------------:|-------------:|-------------:|-----------:|------------:|--------:|");
        foreach (var n in sizes)
        {
            var (h, rng) = Hessian(n);
            foreach (var ratio in ratios)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var m = (int)Math.Round(ratio * n / 4) * 4;
                var w = new float[(long)m * n];
                for (var i = 0; i < w.Length; i++) w[i] = (float)(rng.NextDouble() * 2 - 1) * 0.05f;
                var flops = 2.0 * m * n * (double)n;

                // sgemm at the iteration's shape, with β = 1 as in the loop.
                // This machine is shared: take the best single call, sampled before and after the prox run.
                var c = new float[w.Length];
                Blas.Sgemm(w, false, h, false, c, m, n, n, -0.1f, 1f);
                var bestSgemm = double.MaxValue;
                void SampleSgemm()
                {
                    for (var k = 0; k < iters; k++)
                    {
                        var s0 = Stopwatch.GetTimestamp();
                        Blas.Sgemm(w, false, h, false, c, m, n, n, -0.1f, 1f);
                        bestSgemm = Math.Min(bestSgemm, Stopwatch.GetElapsedTime(s0).TotalSeconds);
                    }
                }
                SampleSgemm();
                var sw = Stopwatch.StartNew();

                // prox24 alone on the rescaled-weight-like matrix.
                var eta = (float)(1 / Spectral.LargestEigenvalue(Unit(h, n), n));
                var groupsRate = new double[2];
                var tValues = new[] { eta * 0.01f, eta * 1.0f };
                for (var q = 0; q < 2; q++)
                {
                    Prox24.Apply(w, c, tValues[q], parallel: true);
                    sw.Restart();
                    for (var k = 0; k < iters; k++) Prox24.Apply(w, c, tValues[q], parallel: true);
                    groupsRate[q] = w.Length / 4.0 * iters / sw.Elapsed.TotalSeconds / 1e6;
                }

                // Matrix Prox Pruner iterations (no refinement).
                var prox = LayerPruner.Run(w, h, m, n, new LayerPruneSettings(PruneMethod.Prox, Refine: RefineMode.None, MaxIters: iters));
                var perIter = prox.IterationTime.TotalSeconds / prox.Iterations;
                var iterRate = flops / perIter / 1e9;
                SampleSgemm();
                var sgemmRate = flops / bestSgemm / 1e9;

                var sgpt = skipSparseGpt ? double.NaN
                    : LayerPruner.Run(w, h, m, n, new LayerPruneSettings(PruneMethod.SparseGpt)).MethodTime.TotalSeconds;
                var wanda = LayerPruner.Run(w, h, m, n, new LayerPruneSettings(PruneMethod.Wanda)).MethodTime.TotalSeconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {n,4} | {m,5} | {sgemmRate,13:F1} | {groupsRate[0],15:F1} / {groupsRate[1],-14:F1} | {perIter * 1e3,12:F1} | {iterRate,12:F1} | {100 * iterRate / sgemmRate,9:F1}% | {sgpt,11:F2} | {wanda,7:F3} |"));
            }
        }
        return Task.FromResult(0);
    }

    private static (float[] H, Random Rng) Hessian(int n)
    {
        var rng = new Random(n);
        var samples = 2 * n;
        var x = new float[(long)samples * n];
        for (var i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1) * (1 + (i % n) % 7);
        var h = new float[(long)n * n];
        Blas.SyrkTransposed(x, h, samples, n, 1f / samples);
        return (h, rng);
    }

    private static float[] Unit(float[] h, int n)
    {
        var u = new float[h.Length];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
                u[i * n + j] = h[i * n + j] / MathF.Sqrt(h[i * n + i] * h[j * n + j]);
        return u;
    }
}
