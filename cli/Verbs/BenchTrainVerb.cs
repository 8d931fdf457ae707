using System.Diagnostics;
using System.Globalization;
using PrunePipeline.Model;
using PrunePipeline.Tensors;
using PrunePipeline.Training;

namespace PrunePipeline.Cli.Verbs;

/// <summary>prunectl bench-train: seconds per whole-model training step and peak memory (issue 13's figures).</summary>
public sealed class BenchTrainVerb : IVerb
{
    public string Name => "bench-train";

    public string Summary => "time ProxSparse / finetuning steps (forward + backward + AdamW + prox) and report peak memory";

    public string Usage => """
        usage: prunectl bench-train --model DIR [--seqlen N (default 256)] [--batch B (default 1)] [--steps N (default 5)]
                                    [--what proxsparse|finetune] [--no-checkpointing] [--device cpu|cuda] [--threads T]
          Random token ids; the first step is a warm-up and not timed. Peak memory = the process's peak working set.
        """;

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var modelDir = args.Required("model");
        var seqLen = args.Int("seqlen", 256);
        var batch = args.Int("batch", 1);
        var steps = args.Int("steps", 5);
        var what = (args.Optional("what") ?? "proxsparse").ToLowerInvariant();
        var checkpointing = !args.Flag("no-checkpointing");
        var threads = args.OptionalInt("threads");
        var target = ComputeTarget.Parse(args.Optional("device"), args.Optional("compute-dtype"));
        args.ThrowOnUnused();
        if (steps < 2) throw new UsageException("--steps must be ≥ 2 (the first one is a warm-up).");
        if (what is not ("proxsparse" or "finetune")) throw new UsageException($"--what must be proxsparse or finetune, got '{what}'.");
        TorchRuntime.Initialize(threads);

        using var model = LlamaModel.Open(modelDir);
        var rng = new Random(0);
        var batches = new List<long[,]>();
        for (var s = 0; s < steps; s++)
        {
            var ids = new long[batch, seqLen];
            for (var b = 0; b < batch; b++) for (var t = 0; t < seqLen; t++) ids[b, t] = rng.Next(model.Config.VocabSize);
            batches.Add(ids);
        }
        var load = Stopwatch.StartNew();
        using var trainable = TrainableLlama.Load(model, seqLen, target);
        trainable.Checkpointing = checkpointing;
        var parameters = trainable.Parameters.Sum(p => p.numel());
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0}: {1:F1} M trainable weights, {2} × {3} tokens per step, {4}, checkpointing {5}, {6} threads, loaded in {7:F1} s",
            modelDir, parameters / 1e6, batch, seqLen, target, checkpointing ? "on" : "off", TorchRuntime.Threads, load.Elapsed.TotalSeconds));
        IReadOnlyList<TrainingStep> curve;
        if (what == "proxsparse")
        {
            curve = ProxSparseTrainer.Train(trainable, batches, new ProxSparseOptions(0.1, Steps: steps), null, cancellationToken);
        }
        else
        {
            // Masks: magnitude 2:4 of the current weights; LM loss (no teacher) so only one model is resident.
            var masks = trainable.Parameters.Select(p => GroupProx.TopTwoMask(p).DetachFromDisposeScope()).ToList();
            curve = MaskedFinetuner.Train(trainable, null, masks, batches, new FinetuneOptions("lm", steps), null, cancellationToken);
        }
        var timed = curve.Skip(1).Select(s => s.Seconds).ToList();
        using var self = Process.GetCurrentProcess();
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0} step: {1:F3} s mean, {2:F3} s min over {3} timed steps; peak working set {4:F0} MiB",
            what, timed.Average(), timed.Min(), timed.Count, self.PeakWorkingSet64 / 1048576.0));
        return Task.FromResult(0);
    }
}
