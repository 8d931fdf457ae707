using PrunePipeline.Contracts;
using PrunePipeline.Errors;
using PrunePipeline.Model;
using PrunePipeline.Workflow;

namespace PrunePipeline.Cli;

/// <summary>
/// The prune settings of every verb that takes them — <c>prune</c>, <c>run</c>, <c>submit</c>, <c>bench-pipeline</c> —
/// and of <c>replay</c>'s overrides: one parser, one set of names and defaults (those of <see cref="PruneMethodSettings"/>;
/// an omitted <c>--refine</c> follows <see cref="PruneMethodSettings.DefaultRefine"/>).
/// </summary>
/// <param name="ModelDir">Full path of the dense model directory.</param>
/// <param name="Eval">Perplexity data sets (name, full path).</param>
/// <param name="EvaluateDense">False with <c>--no-dense-eval</c>: no "before" perplexities.</param>
internal sealed record PruneOptions(
    string ModelDir,
    PruneMethodSettings Method,
    CalibrationSettings Calibration,
    PruneMode Mode,
    IReadOnlyList<EvalDatasetSpec> Eval,
    int? EvalSeqLen,
    bool EvaluateDense,
    FinetuneSettings? Finetune = null)
{
    public const string Usage = """
          --method prox|wanda|sparsegpt|magnitude
          --refine none|gd|exact|cg masked refinement after the method (default for prox: cg after the adaptive
                                    schedule, gd — the paper's step 6 — after the paper schedule; none for the
                                    baselines; for prox "none" skips the refinement)
          --refine-steps N          gradient steps of gd refinement (default 1000)
          --schedule adaptive|paper prox λ schedule (default adaptive: about a sixth of the paper schedule's GEMMs;
                                    paper: λ0·β^k as published)
          --lambda0 X --beta X      the paper schedule's λ0 and β (defaults 0.01, 1.01; adaptive: λ0 is a floor)
          --max-iters N             prox iteration cap (default 2000)
          --momentum X --adaptive-beta X --fast-beta X --start-divisor X --compact-every N
                                    the adaptive schedule's momentum γ, λ growth while supports change / when none
                                    changed, start below the first-support λ, row compaction period (defaults 0.5,
                                    1.015, 1.05, 100, 8)
          --cg-tolerance X          cg refinement: a row stops at ‖r‖ ≤ X·‖r₀‖ (default 0.001)
          --damping X               SparseGPT relative damping δ (default 0.01)
          --calib PATH              Parquet (one document per row), JSON lines with a "text" field (plain or .gz), or a .txt split on <|endoftext|>
          --sampler packed|random-window   (default random-window)
          --nsamples N              calibration sequences (default 128)
          --seqlen N                tokens per calibration sequence (default min(2048, model max))
          --seed N                  sampler seed (default 0)
          --mode sequential|one-shot   (default sequential)
          --pattern 2:4             sparsity pattern (only 2:4)
          --eval NAME=PATH[,NAME=PATH…]  wikitext2, c4, tinystories perplexity before and after
          --eval-seqlen N           evaluation window (default min(2048, model max))
          --text-column NAME        Parquet column / JSON-lines field of --calib and --eval texts (default text)
          --no-dense-eval           skip the dense ("before") perplexities
          --finetune                after assembly: global masked finetuning of the whole model, mask fixed (issue 13);
                                    the 7 linears of every block train, embedding, norms and LM head stay frozen
          --finetune-steps N --finetune-lr X --finetune-loss kl|lm|kl+lm   (defaults 200, 1e-3, kl: distil the dense model)
          --finetune-calib PATH     finetuning text (default: --calib); sequences of --seqlen tokens, packed with --seed
          --calib-stories A-B --exclude-docs PATH --batch B   finetuning documents A..B only, without those also in PATH;
                                    B sequences per step (run/submit: they select the finetuning text only)
          --finetune-checkpoint-every K   run/submit: the finetuner stores a resumable checkpoint every K steps (default 50)

        """;

    static readonly PruneMethodSettings Defaults = new("prox", "gd");

    /// <summary>Parses --model, --method, --calib and the rest; a bad value raises a <see cref="UsageException"/> naming it.</summary>
    public static PruneOptions Parse(CliArgs args)
    {
        var modelDir = Path.GetFullPath(args.Required("model"));
        var method = args.Required("method").ToLowerInvariant();
        var calib = Path.GetFullPath(args.Required("calib"));
        var settings = MethodSettings(args, method);
        var (sampler, nsamples, mode) = SamplingOptions(args);
        var seqLenArg = args.OptionalInt("seqlen");
        var seed = args.Int("seed", 0);
        var eval = ParseEval(args.All("eval"));
        var evalSeqLen = args.OptionalInt("eval-seqlen");
        var evaluateDense = !args.Flag("no-dense-eval");
        var textColumn = args.Optional("text-column") ?? "text";
        var finetune = ParseFinetune(args);

        if (!Directory.Exists(modelDir)) throw new DirectoryNotFoundException($"model directory not found: {modelDir}");
        var config = LlamaConfig.Load(Path.Combine(modelDir, "config.json"));
        var seqLen = CalibrationSeqLen(seqLenArg, config);
        return new PruneOptions(modelDir, settings, new CalibrationSettings(calib, sampler, nsamples, seqLen, seed, textColumn), mode,
            eval.Select(e => e with { Path = Path.GetFullPath(e.Path), TextColumn = textColumn }).ToList(), evalSeqLen, evaluateDense, finetune);
    }

    /// <summary>--finetune and its settings (--finetune-loss, --finetune-steps, --finetune-lr, --finetune-calib,
    /// --calib-stories, --exclude-docs, --batch, --finetune-checkpoint-every); null without --finetune. The one parser of
    /// them for prune, run and submit.</summary>
    public static FinetuneSettings? ParseFinetune(CliArgs args)
    {
        if (!args.Flag("finetune")) return null;
        var defaults = new FinetuneSettings();
        var settings = new FinetuneSettings((args.Optional("finetune-loss") ?? defaults.Loss).ToLowerInvariant(), args.Int("finetune-steps", defaults.Steps),
            args.Double("finetune-lr", defaults.LearningRate), FullPath(args.Optional("finetune-calib")), args.Optional("calib-stories"),
            FullPath(args.Optional("exclude-docs")), args.Int("batch", defaults.BatchSize), args.Int("finetune-checkpoint-every", defaults.CheckpointEvery));
        if (settings.Stories is not null)
        {
            try { PrunePipeline.Training.StoryRange.Parse(settings.Stories); }
            catch (ArgumentException e) { throw new UsageException($"--calib-stories: {e.Message}"); }
        }
        settings.Validate(); // an InvalidSettingException: one line naming the option and value, exit 1 (bad input)
        return settings;
    }

    static string? FullPath(string? path) => path is null ? null : Path.GetFullPath(path);

    /// <summary>--sampler, --nsamples and --mode, validated (also for the training path of <c>prune</c>).</summary>
    public static (string Sampler, int NSamples, PruneMode Mode) SamplingOptions(CliArgs args)
    {
        var sampler = (args.Optional("sampler") ?? Samplers.RandomWindow).ToLowerInvariant();
        if (sampler is not (Samplers.Packed or Samplers.RandomWindow)) throw new UsageException($"--sampler must be packed or random-window, got '{sampler}'.");
        var nsamples = args.Int("nsamples", 128);
        if (nsamples < 1) throw new UsageException($"--nsamples must be ≥ 1, got {nsamples}.");
        var modeText = args.Optional("mode") ?? PruneMode.Sequential.Name();
        var mode = PruneModeNames.TryParse(modeText) ?? throw new UsageException($"--mode must be sequential or one-shot, got '{modeText}'.");
        return (sampler, nsamples, mode);
    }

    /// <summary>--seqlen (default <see cref="PruneRun.DefaultSeqLen"/>), within the model's context.</summary>
    public static int CalibrationSeqLen(int? seqLenArg, LlamaConfig config)
    {
        var seqLen = seqLenArg ?? PruneRun.DefaultSeqLen(config);
        if (seqLen < 1 || seqLen > config.MaxPositionEmbeddings)
            throw new UsageException($"--seqlen must be in 1..{config.MaxPositionEmbeddings} (the model's max_position_embeddings), got {seqLen}.");
        return seqLen;
    }

    /// <summary>The method settings of <paramref name="method"/> from --refine, --refine-steps, --lambda0, --beta,
    /// --max-iters, --damping, --pattern and the adaptive schedule's knobs.</summary>
    public static PruneMethodSettings MethodSettings(CliArgs args, string method)
    {
        if (!PruneMethodSettings.Methods.Contains(method))
            throw new UsageException($"--method must be one of {string.Join(", ", PruneMethodSettings.Methods)}, got '{method}'.");
        var schedule = (args.Optional("schedule") ?? Defaults.Schedule).ToLowerInvariant();
        var settings = new PruneMethodSettings(method, (args.Optional("refine") ?? PruneMethodSettings.DefaultRefine(method, schedule)).ToLowerInvariant(),
            args.Int("refine-steps", Defaults.RefineSteps), args.Double("lambda0", Defaults.Lambda0), args.Double("beta", Defaults.Beta),
            args.Int("max-iters", Defaults.MaxIters), args.Double("damping", Defaults.Damping), args.Optional("pattern") ?? Defaults.Pattern, schedule,
            args.Double("momentum", Defaults.Momentum), args.Double("adaptive-beta", Defaults.AdaptiveBeta), args.Double("fast-beta", Defaults.FastBeta),
            args.Double("start-divisor", Defaults.StartDivisor), args.Int("compact-every", Defaults.CompactEvery),
            args.Double("cg-tolerance", Defaults.CgTolerance));
        settings.Validate(); // an InvalidSettingException: one line naming the option and value, exit 1 (bad input)
        return settings;
    }

    /// <summary>replay's overrides: the same option names, null where the option is absent (the source run's value).
    /// An omitted --refine with a new --method follows <see cref="PruneMethodSettings.DefaultRefine"/>.</summary>
    public static ReplayOverrides Overrides(CliArgs args)
    {
        var method = args.Optional("method")?.ToLowerInvariant();
        if (method is not null && !PruneMethodSettings.Methods.Contains(method))
            throw new UsageException($"--method must be one of {string.Join(", ", PruneMethodSettings.Methods)}, got '{method}'.");
        var schedule = args.Optional("schedule")?.ToLowerInvariant();
        if (schedule is not null && !PruneMethodSettings.Schedules.Contains(schedule))
            throw new UsageException($"--schedule must be one of {string.Join(", ", PruneMethodSettings.Schedules)}, got '{schedule}'.");
        var refine = args.Optional("refine")?.ToLowerInvariant(); // omitted: the coordinator applies DefaultRefine when method/schedule change
        if (refine is not null && !PruneMethodSettings.RefineKinds.Contains(refine))
            throw new UsageException($"--refine must be one of {string.Join(", ", PruneMethodSettings.RefineKinds)}, got '{refine}'.");
        var eval = ParseEval(args.All("eval"));
        var evalSeqLen = args.OptionalInt("eval-seqlen");
        var evaluateDense = !args.Flag("no-dense-eval");
        return new ReplayOverrides(method, refine, args.OptionalInt("refine-steps"), args.OptionalDouble("lambda0"), args.OptionalDouble("beta"),
            args.OptionalInt("max-iters"), args.OptionalDouble("damping"),
            eval.Count > 0 ? new EvaluationSettings(eval.ToDictionary(e => e.Name, e => Path.GetFullPath(e.Path)), evalSeqLen, evaluateDense,
                args.Optional("text-column") ?? "text") : null, schedule);
    }

    /// <summary>What <c>prunectl prune</c> runs.</summary>
    public PruneRequest ToPruneRequest(string outDir, bool force) =>
        new(ModelDir, outDir, Method, Calibration, Mode, Eval, EvalSeqLen, force, EvaluateDense);

    /// <summary>What <c>run</c>, <c>submit</c> and <c>bench-pipeline</c> publish: exactly what <c>prune</c> would run.</summary>
    public PruneRequested ToPruneRequested(Guid runId, string? idempotencyKey = null) =>
        new(runId, ModelDir, Calibration, Mode, Method,
            new EvaluationSettings(Eval.ToDictionary(e => e.Name, e => e.Path), EvalSeqLen, EvaluateDense, Calibration.TextColumn), idempotencyKey, Finetune);

    /// <summary>--eval NAME=PATH[,NAME=PATH…] (repeatable).</summary>
    public static List<EvalDatasetSpec> ParseEval(IReadOnlyList<string> values)
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
}
