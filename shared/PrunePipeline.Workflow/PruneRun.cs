using System.Diagnostics;
using System.Reflection;
using PrunePipeline.Errors;
using PrunePipeline.Evaluation.Datasets;
using PrunePipeline.Model;
using PrunePipeline.Tensors;
using PrunePipeline.Tokenizers;
using PrunePipeline.Workflow.Calibration;
using PrunePipeline.Workflow.Output;
using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.Workflow;

/// <summary>
/// One whole "prunectl prune" in-process: check inputs, sample calibration text, evaluate the dense model, prune
/// (<see cref="WholeModelPruner"/>) streaming into OUTDIR.tmp, evaluate the written model as loaded from disk, write
/// sparsity.json and report.json, then rename OUTDIR.tmp to OUTDIR. Every input is read and checked before anything
/// is written, and a failure removes OUTDIR.tmp, so OUTDIR is either absent/untouched or complete.
/// </summary>
public static class PruneRun
{
    public static PruneReport Execute(PruneRequest request, Action<PruneProgressEvent>? progress = null, CancellationToken ct = default)
    {
        var total = Stopwatch.StartNew();
        var p = request.Parameters;
        p.Validate();
        var calib = request.Calibration;
        if (calib.Sampler is not ("packed" or "random-window"))
            throw new InvalidSettingException("sampler", $"'{calib.Sampler}' is unknown; use packed or random-window.");
        if (calib.NSamples < 1) throw new InvalidSettingException("nsamples", $"must be ≥ 1, got {calib.NSamples}.");
        var inputs = Inputs(request);
        OutputGuard.CheckDirectory(request.OutDir, request.Force, inputs);

        using var model = LlamaModel.Open(request.ModelDir);
        var config = model.Config;
        if (calib.SeqLen < 1 || calib.SeqLen > config.MaxPositionEmbeddings)
            throw new InvalidSettingException("seqlen", $"must be in 1..{config.MaxPositionEmbeddings} (the model's max_position_embeddings), got {calib.SeqLen}.");
        MemoryEstimate.Require(MemoryEstimate.PruneBytes(config, calib.NSamples, calib.SeqLen), $"--nsamples {calib.NSamples} × --seqlen {calib.SeqLen}");
        var evalSeqLen = request.EvalSeqLen ?? DefaultSeqLen(config);
        if (evalSeqLen < 2 || evalSeqLen > config.MaxPositionEmbeddings)
            throw new InvalidSettingException("eval-seqlen", $"must be in 2..{config.MaxPositionEmbeddings} (the model's max_position_embeddings), got {evalSeqLen}.");
        var tok = TokenizerFiles.Load(request.ModelDir);

        var docs = CalibrationText.ReadDocuments(calib.Path, calib.TextColumn);
        var samples = calib.Sampler == "packed"
            ? CalibrationSampler.Packed(docs, tok, calib.NSamples, calib.SeqLen, calib.Seed)
            : CalibrationSampler.RandomWindow(docs, tok, calib.NSamples, calib.SeqLen, calib.Seed);
        var evalSpecs = request.Eval ?? [];
        var evalSets = evalSpecs.Select(e => EvalDatasets.Load(e.Name, e.Path, tok, evalSeqLen, e.TextColumn)).ToList();
        var evalPaths = evalSets.Zip(evalSpecs).ToDictionary(x => x.First.Dataset, x => x.Second.Path);

        var evalTime = Stopwatch.StartNew();
        var before = request.EvaluateDense ? ModelEvaluation.Run(model, evalSets, EvalProgress(progress, "dense"), ct) : [];
        evalTime.Stop();

        return OutputGuard.WriteDirectory(request.OutDir, request.Force, inputs, tmp =>
        {
            WholeModelResult result;
            using (var writer = new PrunedModelWriter(model, tmp))
            {
                result = WholeModelPruner.Run(model, samples, p, request.Mode, writer, progress, ct);
                writer.Complete();
            }
            evalTime.Start();
            IReadOnlyList<DatasetPerplexity> after;
            using (var pruned = LlamaModel.Open(tmp))
                after = ModelEvaluation.Run(pruned, evalSets, EvalProgress(progress, "pruned"), ct);
            evalTime.Stop();

            var versions = Versions();
            var mode = request.Mode;
            var source = Path.GetFullPath(request.ModelDir);
            WorkflowJson.Write(Path.Combine(tmp, "sparsity.json"), new SparsityManifest(SparsityManifest.FormatName, p.Pattern, "input",
                p.Method, p.Refine, mode, p, calib, calib.Seed, PrunedModelWriter.PrunedTensors(config), PrunedModelWriter.MaskFileName,
                SparsityManifest.MaskEncodingText, source, versions));
            var datasets = after.Select(a => new DatasetReport(a.Dataset, evalPaths[a.Dataset], a.SeqLen, a.Convention, a.Sequences, a.Tokens,
                before.FirstOrDefault(b => b.Dataset == a.Dataset)?.Perplexity, a.Perplexity)).ToList();
            var report = new PruneReport(PruneReport.FormatName, source, p.Method, p.Refine, p.Pattern, mode, p, calib, calib.Tokens, calib.Seed,
                result.Layers, datasets, result.CalibrationSeconds, result.PruneSeconds, evalTime.Elapsed.TotalSeconds, total.Elapsed.TotalSeconds, versions);
            WorkflowJson.Write(Path.Combine(tmp, "report.json"), report);
            RunMetricsParquet.Write(tmp, Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(request.OutDir))), report);
            return report;
        });
    }

    /// <summary>min(2048, the model's max_position_embeddings): the calibration and evaluation default.</summary>
    public static int DefaultSeqLen(LlamaConfig config) => Math.Min(2048, config.MaxPositionEmbeddings);

    /// <summary>Every path the run reads: the output may neither be nor contain any of them (<see cref="OutputGuard"/>).</summary>
    public static IReadOnlyList<string> Inputs(PruneRequest request) =>
        [request.ModelDir, request.Calibration.Path, .. (request.Eval ?? []).Select(e => e.Path)];

    private static Action<string, int, int>? EvalProgress(Action<PruneProgressEvent>? progress, string which) =>
        progress is null ? null : (d, i, n) => progress(new PruneProgressEvent("evaluate", -1, 0, null, i, n, $"{which} {d}"));

    private static Dictionary<string, string> Versions() => new()
    {
        ["prunepipeline"] = typeof(PruneRun).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
        ["dotnet"] = Environment.Version.ToString(),
        ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        ["device"] = ComputeTarget.Default.ToString(),
        ["torch_threads"] = TorchRuntime.Threads.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
