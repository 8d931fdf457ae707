using System.Globalization;
using System.Text.Json;
using PrunePipeline.Errors;
using PrunePipeline.Model.Io;
using PrunePipeline.Pruning;
using PrunePipeline.Workflow.Output;

namespace PrunePipeline.Cli.Verbs;

/// <summary>prunectl layer: prune one weight matrix against its Hessian (.npy in, .npy out, JSON report).</summary>
public sealed class LayerVerb : IVerb
{
    public string Name => "layer";

    public string Summary => "prune one matrix W (m×n .npy) against H (n×n .npy) with prox, wanda, sparsegpt or magnitude";

    public string Usage => """
        usage: prunectl layer --weight W.npy --hessian H.npy --method prox|wanda|sparsegpt|magnitude --out OUT.npy
                              [--refine none|gd|exact|cg] [--refine-steps N] [--lambda0 x] [--beta x] [--max-iters N]
                              [--pattern 2:4|N:M|unstructured:RATIO] [--damping x] [--block-size N] [--report R.json] [--force]
                              [--device cpu|cuda|cuda:N|auto] [--threads N] [--schedule adaptive|paper]
          W is m×n (out × in), H is n×n (XᵀX/N of the layer's inputs); float32 or float64, C order.
          The output has W's dtype. --refine defaults, for prox, to cg (--schedule adaptive, the default) or gd
          (--schedule paper), and to none otherwise. --lambda0 and --beta are the paper schedule's.
          --device: where torch computes (default auto: CUDA when available, else CPU); --threads: torch's CPU threads.
          OUT.npy and R.json are never W or H; an existing one is replaced only with --force (atomically).
          Defaults: --refine-steps 1000 --lambda0 0.01 --beta 1.01 --max-iters 2000 --pattern 2:4 --damping 0.01
        """;

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var weightPath = args.Required("weight");
        var hessianPath = args.Required("hessian");
        var outPath = args.Required("out");
        var method = ParseMethod(args.Required("method"));
        var refineText = args.Optional("refine");
        RefineMode? refine = refineText switch
        {
            null => null,
            "none" => RefineMode.None,
            "gd" => RefineMode.Gd,
            "exact" => RefineMode.Exact,
            "cg" => RefineMode.Cg,
            _ => throw new UsageException($"--refine must be none, gd, exact or cg, got '{refineText}'."),
        };
        var defaults = new LayerPruneSettings();
        SparsityPattern pattern;
        try { pattern = SparsityPattern.Parse(args.Optional("pattern") ?? "2:4"); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        var settings = new LayerPruneSettings(
            method, pattern, refine,
            RefineSteps: args.Int("refine-steps", defaults.RefineSteps),
            Lambda0: args.Double("lambda0", defaults.Lambda0),
            Beta: args.Double("beta", defaults.Beta),
            MaxIters: args.Int("max-iters", defaults.MaxIters),
            Damping: args.Double("damping", defaults.Damping),
            BlockSize: args.Int("block-size", defaults.BlockSize),
            Schedule: (args.Optional("schedule") ?? "adaptive").ToLowerInvariant() switch
            {
                "adaptive" => ProxSchedule.Adaptive,
                "paper" => ProxSchedule.Paper,
                var other => throw new UsageException($"--schedule must be adaptive or paper, got '{other}'."),
            });
        var (device, threads) = DeviceOptions.Read(args);
        var reportPath = args.Optional("report");
        var force = args.Flag("force");
        args.ThrowOnUnused();
        settings.Validate();
        string[] inputs = [weightPath, hessianPath];
        OutputGuard.CheckFile(outPath, force, inputs, "--out");
        if (reportPath is not null)
        {
            OutputGuard.CheckFile(reportPath, force, [.. inputs, outPath], "--report");
        }
        PrunePipeline.Tensors.TorchRuntime.Initialize(threads);
        settings = settings with { Device = PrunePipeline.Tensors.TorchDevices.Name(DeviceOptions.Parse(device)) };

        var w = Npy.ReadMatrix(weightPath);
        var h = Npy.ReadMatrix(hessianPath);
        if (h.Rows != h.Cols)
            throw new InvalidDataException($"{hessianPath}: H must be square, got {h.Rows}×{h.Cols}.");
        if (h.Rows != w.Cols)
            throw new InvalidDataException(
                $"shape mismatch: W ({weightPath}) is {w.Rows}×{w.Cols} but H ({hessianPath}) is {h.Rows}×{h.Cols}; H must be {w.Cols}×{w.Cols}.");
        LayerPruneResult result;
        try
        {
            result = LayerPruner.Run(w.Data, h.Data, w.Rows, w.Cols, settings, ct: cancellationToken);
        }
        catch (ArgumentException e)
        {
            // Name the files: the library speaks of "W" and "H".
            throw new BadInputException($"{e.Message} (W = {weightPath}, H = {hessianPath})", e);
        }
        OutputGuard.WriteFile(outPath, force, inputs, "--out", tmp => Npy.Write(tmp, result.Weights, [w.Rows, w.Cols], w.Dtype));
        var seconds = (result.MethodTime + result.RefineTime).TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Name}: {method.ToString().ToLowerInvariant()} {result.Pattern} refine={result.Refine.ToString().ToLowerInvariant()} " +
            $"f: {result.LossBeforeRefine:G6} -> {result.LossAfterRefine:G6}, iterations {result.Iterations}, " +
            $"valid groups {result.ValidGroupsFraction:P2}, {seconds:F2} s on {result.Device} -> {outPath}"));
        if (reportPath is not null)
            OutputGuard.WriteText(reportPath, JsonSerializer.Serialize(Report(result, method, w, h, weightPath, hessianPath, outPath, seconds),
                new JsonSerializerOptions { WriteIndented = true }), force, [.. inputs, outPath], "--report");
        return Task.FromResult(0);
    }

    internal static PruneMethod ParseMethod(string text) => text.ToLowerInvariant() switch
    {
        "prox" => PruneMethod.Prox,
        "wanda" => PruneMethod.Wanda,
        "sparsegpt" => PruneMethod.SparseGpt,
        "magnitude" => PruneMethod.Magnitude,
        _ => throw new UsageException($"--method must be prox, wanda, sparsegpt or magnitude, got '{text}'."),
    };

    private static Dictionary<string, object?> Report(LayerPruneResult r, PruneMethod method, NpyArray w, NpyArray h,
        string weightPath, string hessianPath, string outPath, double seconds) => new()
    {
        ["method"] = method.ToString().ToLowerInvariant(),
        ["pattern"] = r.Pattern.ToString(),
        ["refine"] = r.Refine.ToString().ToLowerInvariant(),
        ["loss_dense_to_pruned"] = new Dictionary<string, double> { ["before_refine"] = r.LossBeforeRefine, ["after_refine"] = r.LossAfterRefine },
        ["iterations"] = r.Iterations,
        ["final_lambda"] = r.FinalLambda,
        ["hit_max_iterations"] = r.HitMaxIterations,
        ["damping"] = r.DampingUsed,
        ["valid_groups_fraction"] = r.ValidGroupsFraction,
        ["seconds"] = seconds,
        ["method_seconds"] = r.MethodTime.TotalSeconds,
        ["device"] = r.Device,
        ["refine_seconds"] = r.RefineTime.TotalSeconds,
        ["gemm_equivalents"] = new Dictionary<string, double> { ["method"] = r.MethodGemmEquivalents, ["refine"] = r.RefineGemmEquivalents },
        ["weight"] = new Dictionary<string, object> { ["path"] = weightPath, ["shape"] = w.Shape, ["dtype"] = w.Dtype == NpyDtype.Float32 ? "float32" : "float64" },
        ["hessian"] = new Dictionary<string, object> { ["path"] = hessianPath, ["shape"] = h.Shape, ["dtype"] = h.Dtype == NpyDtype.Float32 ? "float32" : "float64" },
        ["out"] = outPath,
    };
}
