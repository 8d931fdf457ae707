using System.Globalization;
using PrunePipeline.Model;
using PrunePipeline.Tensors;
using PrunePipeline.Training;
using PrunePipeline.Workflow;
using PrunePipeline.Contracts;
using PrunePipeline.Workflow.Output;
using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.Cli.Verbs;

/// <summary>
/// The end-to-end part of <c>prunectl prune</c> (issue 13): <c>--method proxsparse</c>, <c>--finetune</c> after any
/// method, and story-range evaluation. A layer-wise method followed by finetuning is staged: the method writes
/// OUTDIR.stage, finetuning reads it and writes OUTDIR, the stage is removed.
/// </summary>
internal static class TrainingPrune
{
    public const string Usage = """
          end-to-end training (issue 13):
          --method proxsparse       ProxSparse learned 2:4 mask (algorithm.md §7); --calib is its training text
          --lambda1 X --lambda2 Y   prox weight per step (required) and "stay near Ŵ" weight (default 0)
          --steps N --lr X --batch B   optimizer steps (default 400), peak AdamW lr (default 1e-4), sequences per step (default 1)
          --finetune …              after the method: global masked finetuning (mask fixed) of the 7 linears of every
                                    block; embedding, norms and LM head stay frozen (options above)
          --calib-stories A-B       only documents A..B of the training text (e.g. 500-999 of the TinyStories file)
          --exclude-docs PATH       drop training documents whose text occurs in PATH (e.g. the C4 evaluation file)
          --eval-stories A-B        evaluate TinyStories on stories A..B only (e.g. 0-499); recorded with the perplexity
          --device cpu|cuda[:i]     training device (default: auto)   --no-checkpointing   keep all activations
          --threads T               torch intra-op threads (default: one per core)
        """;

    /// <summary>True when the prune verb's arguments ask for training or story-range evaluation.</summary>
    public static bool Applies(CliArgs args, string method) =>
        method == "proxsparse" || args.Flag("finetune") || args.Has("eval-stories");

    public static int Run(CliArgs args, string method, CancellationToken ct)
    {
        var modelDir = args.Required("model");
        var calibPath = args.Required("calib");
        var outDir = Path.GetFullPath(args.Required("out"));
        var finetune = args.Flag("finetune");
        var seqLenArg = args.OptionalInt("seqlen");
        var seed = args.Int("seed", 0);
        var batch = args.Int("batch", 1);
        var calibStories = Range(args.Optional("calib-stories"), "calib-stories");
        var evalStories = Range(args.Optional("eval-stories"), "eval-stories");
        var exclude = args.Optional("exclude-docs");
        var eval = PruneOptions.ParseEval(args.All("eval"));
        var evalSeqLen = args.OptionalInt("eval-seqlen");
        var force = args.Flag("force");
        var noDense = args.Flag("no-dense-eval");
        var target = ComputeTarget.Parse(args.Optional("device"), args.Optional("compute-dtype"));
        var checkpointing = !args.Flag("no-checkpointing");
        // Small models on a busy CPU train several times faster on one thread than with torch's default pool.
        TorchRuntime.Initialize(args.OptionalInt("threads"));
        ProxSparseOptions? prox = method == "proxsparse"
            ? new ProxSparseOptions(args.Double("lambda1", double.NaN), args.Double("lambda2", 0), Steps: args.Int("steps", 400),
                LearningRate: args.Double("lr", 1e-4))
            : null;
        if (prox is not null && double.IsNaN(prox.Lambda1)) throw new UsageException("--method proxsparse needs --lambda1.");
        var ftSettings = PruneOptions.ParseFinetune(args); // the one parser of the finetune options (prune, run, submit)
        var ft = ftSettings is null ? null : new FinetuneOptions(ftSettings.Loss, ftSettings.Steps, ftSettings.LearningRate);
        var ftCalib = ftSettings?.DataPath ?? calibPath;
        // A layer-wise method's own options are parsed (and validated) by the prune verb's PruneRequest below.
        var parameters = method == "proxsparse" ? null : PruneOptions.MethodSettings(args, method);
        var (sampler, nsamples, mode) = PruneOptions.SamplingOptions(args); // validated as for every prune
        args.ThrowOnUnused();
        prox?.Validate();
        ft?.Validate();
        parameters?.Validate();
        if (!Directory.Exists(modelDir)) throw new DirectoryNotFoundException($"model directory not found: {modelDir}");
        string[] inputs = [modelDir, calibPath, ftCalib, .. exclude is null ? Array.Empty<string>() : [exclude], .. eval.Select(e => e.Path)];
        OutputGuard.CheckDirectory(outDir, force, inputs);
        var config = LlamaConfig.Load(Path.Combine(modelDir, "config.json"));
        var seqLen = PruneOptions.CalibrationSeqLen(seqLenArg, config);

        // The layer-wise (or ProxSparse) model of a finetuned run is an intermediate of ours under a fresh, unique name:
        // nothing of the user's can be there, and it is removed afterwards.
        var stage = finetune ? $"{outDir}.stage-{Guid.NewGuid():N}" : outDir;
        var data = new TrainingData(calibPath, calibStories, exclude, seqLen, batch, seed);
        var log = Console.Error;
        if (prox is not null)
        {
            var r = TrainingRun.ProxSparse(new TrainingRequest(modelDir, null, stage, data, eval, evalStories, evalSeqLen, force && !finetune,
                !noDense, target, checkpointing), prox, s => Step(log, "proxsparse", s, prox.Steps), ct);
            PrintEvaluation("proxsparse", r);
        }
        else
        {
            // Story-range evaluation happens in the training run (or below), not in the layer-wise run.
            var layerEval = evalStories is null ? eval : [];
            // The layer-wise calibration reads a file: the selected documents (story range, shared documents dropped)
            // are written to a temporary JSON-lines file so that it never sees evaluation text either.
            var selected = calibStories is null && exclude is null ? null : Path.Combine(Path.GetTempPath(), $"prunepipeline-calib-{Guid.NewGuid():N}.jsonl");
            if (selected is not null)
                File.WriteAllLines(selected, TrainingText.Read(calibPath, calibStories, exclude).Documents
                    .Select(d => System.Text.Json.JsonSerializer.Serialize(new { text = d })));
            try
            {
                var calib = new CalibrationSettings(selected ?? calibPath, sampler, nsamples, seqLen, seed);
                PruneRun.Execute(new PruneRequest(modelDir, stage, parameters!, calib, mode, layerEval, evalSeqLen, force && !finetune, !noDense && !finetune),
                    null, ct);
            }
            finally
            {
                if (selected is not null) File.Delete(selected);
            }
            if (!finetune && evalStories is not null) PrintRows("pruned", TrainingRun.Evaluate(stage, eval, evalStories, evalSeqLen, target, ct));
        }
        if (ft is not null)
        {
            try
            {
                var r = TrainingRun.Finetune(new TrainingRequest(stage, modelDir, outDir, data with { Path = ftCalib }, eval, evalStories, evalSeqLen, force,
                    true, target, checkpointing), ft, s => Step(log, "finetune", s, ft.Steps), ct);
                PrintEvaluation("finetune", r);
            }
            finally
            {
                if (stage != outDir && Directory.Exists(stage)) Directory.Delete(stage, recursive: true);
            }
        }
        Console.WriteLine($"→ {outDir}");
        return 0;
    }

    private static StoryRange? Range(string? text, string option)
    {
        if (text is null) return null;
        try { return StoryRange.Parse(text); }
        catch (ArgumentException e) { throw new UsageException($"--{option}: {e.Message}"); }
    }

    private static void Step(TextWriter log, string what, TrainingStep s, int steps)
    {
        if (s.Step % 10 != 0 && s.Step != steps - 1) return;
        log.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0} step {1}/{2}: loss {3:F4}, λ term {4:G4}, 2-sparse groups {5:P1}, lr {6:G3}, {7:F3} s",
            what, s.Step + 1, steps, s.Loss, s.LambdaTerm, s.TwoSparseFraction, s.LearningRate, s.Seconds));
    }

    private static void PrintEvaluation(string what, TrainingReport r)
    {
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0}: {1} steps, {2:F3} s/step, peak working set {3:F0} MiB, {4} training documents ({5} excluded as shared with the evaluation file)",
            what, r.Curve.Count, r.SecondsPerStep, r.PeakWorkingSetBytes / 1048576.0, r.Documents, r.ExcludedDocuments));
        PrintRows(what, r.Evaluation);
    }

    private static void PrintRows(string what, IReadOnlyList<DatasetReport> rows)
    {
        foreach (var e in rows)
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "  {0,-12} {1,6} before {2,10} after {3,10:F3}  {4}", e.Dataset, e.SeqLen,
                e.PerplexityBefore is { } b ? b.ToString("F3", CultureInfo.InvariantCulture) : "-", e.PerplexityAfter, e.Convention));
    }
}
