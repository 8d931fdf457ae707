using System.Diagnostics;
using System.Globalization;
using PrunePipeline.Contracts;
using PrunePipeline.Pruning;
using PrunePipeline.Pruning.Prox;
using PrunePipeline.Tensors;
using static TorchSharp.torch;

namespace PrunePipeline.Cli.Verbs;

/// <summary>
/// prunectl bench-prune: speed of the pruning kernels on the torch engine, on random n×n Hessians (H = XᵀX/N,
/// N = 2n samples) with m = n and m = 2.7n rows: torch matmul rate at the iteration's shape (m×n×n), prox24 groups per
/// second (the C# SIMD kernel on the tensors' memory, and the device-agnostic torch formulation), Matrix Prox Pruner time
/// per iteration and its FLOP rate (2·m·n² per iteration) as a fraction of the same run's matmul rate, and
/// SparseGPT / Wanda time per layer. Figures only; no assertions.
/// </summary>
public sealed class BenchPruneVerb : IVerb
{
    public string Name => "bench-prune";

    public string Summary => "benchmark prox24, the Matrix Prox Pruner iteration, SparseGPT and Wanda on the torch engine";

    public string Usage => """
        usage: prunectl bench-prune [--sizes 512,1024,2048,4096] [--iters 5] [--threads N] [--ratios 1,2.7]
                                    [--no-sparsegpt] [--no-prox24-torch] [--device cpu|cuda|cuda:N|auto]
               prunectl bench-prune --compare [--sizes 1024,2048,4096] [--ratios 1,2.7] [--max-iters 2000] [--refine-steps 1000]
          --compare: per layer shape, the paper schedule (prox + 1000 GD steps) against the new default (adaptive prox +
          CG) and SparseGPT + CG: GEMM-equivalents (prox + refinement), wall time and local loss, side by side.
          --max-iters / --refine-steps cap the paper schedule on slow machines (the table says when a cap was hit).
          --model DIR --calib FILE [--nsamples 128] [--seqlen 512] [--seed 0] [--sampler random-window|packed]: the same
          comparison on every linear of a model (one-shot Hessians from the dense model), with the sums.
          --only paper|adaptive|sparsegpt: one of the three per random shape. Experiments with the adaptive schedule:
          --momentum, --adaptive-beta, --fast-beta, --start-divisor, --compact-every, --cg-tolerance; --trace prints λ
          and the dense groups every 10 iterations.
          For each n and m = round4(ratio·n): matmul GFLOP/s (m×n×n, best single call), prox24 Mgroups/s (SIMD kernel on
          the CPU and the torch formulation), prox iteration ms and its fraction of the matmul rate, SparseGPT and Wanda s.
          --threads sets torch's CPU threads (default: torch's choice, one per core).
          --no-prox24-torch skips the torch formulation's rate: it allocates many group-sized temporaries per call
          (a run at n = 4096 with it reached 8.3 GB RSS), so a 7B down_proj shape fits a small machine without it.
        """;

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var sizes = (args.Optional("sizes") ?? "512,1024,2048,4096").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var ratios = (args.Optional("ratios") ?? "1,2.7").Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var iters = args.Int("iters", 5);
        var (device, threads) = DeviceOptions.Read(args);
        var skipSparseGpt = args.Flag("no-sparsegpt");
        var skipProx24Torch = args.Flag("no-prox24-torch");
        var compare = args.Flag("compare");
        var defaults = new LayerPruneSettings();
        var maxIters = args.Int("max-iters", defaults.MaxIters);
        var refineSteps = args.Int("refine-steps", defaults.RefineSteps);
        var only = args.Optional("only");
        if (only is not (null or "paper" or "adaptive" or "sparsegpt"))
            throw new UsageException($"--only must be paper, adaptive or sparsegpt, got '{only}'.");
        var trace = args.Flag("trace");
        var modelDir = args.Optional("model");
        var calib = modelDir is null ? null : new CalibrationSettings(args.Required("calib"), args.Optional("sampler") ?? "random-window",
            args.Int("nsamples", 128), args.Int("seqlen", 512), args.Int("seed", 0), args.Optional("text-column") ?? "text");
        var adaptive = new LayerPruneSettings(PruneMethod.Prox, Schedule: ProxSchedule.Adaptive,
            FastBeta: args.Double("fast-beta", defaults.FastBeta), StartDivisor: args.Double("start-divisor", defaults.StartDivisor),
            CompactEvery: args.Int("compact-every", defaults.CompactEvery), CgTolerance: args.Double("cg-tolerance", defaults.CgTolerance),
            AdaptiveBeta: args.Double("adaptive-beta", defaults.AdaptiveBeta), Momentum: args.Double("momentum", defaults.Momentum));
        args.ThrowOnUnused();
        if (iters < 1) throw new UsageException("--iters must be ≥ 1.");
        TorchRuntime.Initialize(threads);
        var dev = DeviceOptions.Parse(device);
        if (compare)
        {
            adaptive.Validate();
            if (calib is not null)
            {
                RealLayerComparison.Run(modelDir!, calib, maxIters, refineSteps, adaptive, dev, cancellationToken);
                return Task.FromResult(0);
            }
            ScheduleComparison.Run(sizes, ratios, maxIters, refineSteps, adaptive, only, trace, dev, cancellationToken);
            return Task.FromResult(0);
        }
        Console.WriteLine($"torch device: {TorchDevices.Name(dev)}; torch threads: {TorchRuntime.Threads}; AVX: {System.Runtime.Intrinsics.X86.Avx.IsSupported}; iterations timed: {iters}");
        Console.WriteLine("|    n |     m | matmul GFLOP/s | prox24 SIMD Mgroups/s (t small / mid) | prox24 torch Mgroups/s | prox iter ms | iter GFLOP/s | % of matmul | SparseGPT s | Wanda s |");
        Console.WriteLine("|-----:|------:|---------------:|--------------------------------------:|-----------------------:|-------------:|-------------:|------------:|------------:|--------:|");
        RandomLayers.ForEachShape(sizes, ratios, dev, cancellationToken, (n, m, w, h) =>
        {
                var flops = 2.0 * m * n * (double)n;

                // matmul at the iteration's shape, with β = 1 as in the loop. This machine is shared: take the best
                // single call, sampled before and after the prox run.
                var c = zeros(m, n, device: dev);
                c.addmm_(w, h, beta: 1f, alpha: -0.1f);
                var bestMatmul = double.MaxValue;
                void SampleMatmul()
                {
                    for (var k = 0; k < iters; k++)
                    {
                        var s0 = Stopwatch.GetTimestamp();
                        c.addmm_(w, h, beta: 1f, alpha: -0.1f);
                        Sync(dev);
                        bestMatmul = Math.Min(bestMatmul, Stopwatch.GetElapsedTime(s0).TotalSeconds);
                    }
                }
                SampleMatmul();

                // prox24 alone, at a small and a mid-schedule t.
                var simdRate = new double[2];
                var tValues = new[] { 0.01f / n, 1.0f / n };
                for (var q = 0; q < 2; q++)
                    simdRate[q] = Prox24.UsesSimdKernel(w, c) ? GroupsPerSecond(() => Prox24.Apply(w, c, tValues[q]), w, iters, dev) : double.NaN;
                var torchRate = skipProx24Torch ? double.NaN : GroupsPerSecond(() => Prox24Torch.Apply(w, c, tValues[1]), w, Math.Min(iters, 2), dev);

                // Matrix Prox Pruner iterations (no refinement), paper schedule.
                var prox = LayerPruner.Run(w, h, new LayerPruneSettings(PruneMethod.Prox, Refine: RefineMode.None, MaxIters: iters,
                    Schedule: ProxSchedule.Paper));
                var perIter = prox.IterationTime.TotalSeconds / prox.Iterations;
                var iterRate = flops / perIter / 1e9;
                SampleMatmul();
                var matmulRate = flops / bestMatmul / 1e9;

                var sgpt = skipSparseGpt ? double.NaN
                    : LayerPruner.Run(w, h, new LayerPruneSettings(PruneMethod.SparseGpt)).MethodTime.TotalSeconds;
                var wanda = LayerPruner.Run(w, h, new LayerPruneSettings(PruneMethod.Wanda)).MethodTime.TotalSeconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {n,4} | {m,5} | {matmulRate,14:F1} | {simdRate[0],18:F1} / {simdRate[1],-18:F1} | {torchRate,22:F2} | {perIter * 1e3,12:F1} | {iterRate,12:F1} | {100 * iterRate / matmulRate,10:F1}% | {sgpt,11:F2} | {wanda,7:F3} |"));
        });
        return Task.FromResult(0);
    }

    private static double GroupsPerSecond(Action run, Tensor w, int iters, Device dev)
    {
        run();
        Sync(dev);
        var sw = Stopwatch.StartNew();
        for (var k = 0; k < iters; k++) run();
        Sync(dev);
        return w.numel() / 4.0 * iters / sw.Elapsed.TotalSeconds / 1e6;
    }

    private static void Sync(Device dev)
    {
        if (dev.type == TorchSharp.DeviceType.CUDA) cuda.synchronize(dev);
    }
}
