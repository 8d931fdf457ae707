using System.Diagnostics;
using System.Globalization;
using PrunePipeline.Model;
using PrunePipeline.Model.Llama2c;
using PrunePipeline.Tensors;
using TorchSharp;

namespace PrunePipeline.Cli.Verbs;

/// <summary>
/// prunectl bench: torch matmul GFLOP/s and forward-pass throughput on the compute target, with the forward expressed
/// as a fraction of the GEMM-bound limit (measured matmul rate ÷ 2·parameters FLOPs per token). A benchmark, not a test.
/// </summary>
public sealed class BenchVerb : IVerb
{
    public string Name => "bench";

    public string Summary => "torch matmul GFLOP/s and forward tokens/s vs the GEMM-bound limit";

    public string Usage => """
        usage: prunectl bench [--threads N (default: all cores)] [--device D] [--compute-dtype T] [--seqlen 512] [--seconds 3]
                              [--stories260k PATH.bin (default ../shared/models/stories260K/stories260K.bin)]
          Prints torch matmul GFLOP/s at 1024³ and 4096³ (compute dtype, on the device), then forward tokens/s
          (whole-sequence forward incl. LM head and log-softmax, i.e. the perplexity path) for stories260K and a
          random ~110M LLaMA shape (hidden 768, intermediate 2048, 12 layers, 12 heads, vocab 32000, tied), and each
          as a fraction of the GEMM-bound limit.
        """ + "\n" + ComputeOptions.Usage;

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var target = ComputeOptions.Apply(args, defaultThreads: Environment.ProcessorCount);
        var seqLen = args.Int("seqlen", 512);
        var seconds = args.Double("seconds", 3);
        var storiesPath = args.Optional("stories260k") ?? FindShared("models", "stories260K", "stories260K.bin");
        args.ThrowOnUnused();
        if (seqLen < 2) throw new UsageException("--seqlen must be at least 2.");

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv,
            $"torch {target} ({TorchRuntime.Threads} threads, MKL_CBWR={Environment.GetEnvironmentVariable("MKL_CBWR")}); cores: {Environment.ProcessorCount}; {RuntimeInfo()}"));
        var rate1024 = MatmulRate(1024, target, seconds, cancellationToken);
        Console.WriteLine(string.Create(inv, $"matmul 1024x1024x1024: {rate1024:F1} GFLOP/s"));
        var rate4096 = MatmulRate(4096, target, seconds, cancellationToken);
        Console.WriteLine(string.Create(inv, $"matmul 4096x4096x4096: {rate4096:F1} GFLOP/s"));
        var peak = Math.Max(rate1024, rate4096);
        Console.WriteLine(string.Create(inv, $"GEMM-bound limit uses the best measured rate: {peak:F1} GFLOP/s"));

        if (storiesPath is not null && File.Exists(storiesPath))
        {
            var dir = Path.Combine(Path.GetTempPath(), "prunectl-bench-" + Guid.NewGuid().ToString("N"));
            try
            {
                Llama2cConverter.Convert(storiesPath, dir);
                using var model = LlamaModel.Open(dir);
                var len = Math.Min(seqLen, model.Config.MaxPositionEmbeddings);
                Report("stories260K", model.Config, LlamaForward.Create(model, len, cancellationToken, target), len, seconds, peak, cancellationToken);
            }
            finally
            {
                if (Directory.Exists(dir)) Directory.Delete(dir, true);
            }
        }
        else
        {
            Console.WriteLine($"stories260K: skipped (checkpoint not found: {storiesPath ?? "../shared/models/stories260K/stories260K.bin"})");
        }

        var config = new LlamaConfig
        {
            HiddenSize = 768, IntermediateSize = 2048, NumHiddenLayers = 12, NumAttentionHeads = 12, NumKeyValueHeads = 12,
            HeadDim = 64, VocabSize = 32000, TieWordEmbeddings = true, MaxPositionEmbeddings = Math.Max(2048, seqLen),
        };
        var rng = new Random(1);
        var shapes = LlamaTensorNames.Expected(config).ToDictionary(t => t.Name, t => t.Shape);
        var blocks = Enumerable.Range(0, config.NumHiddenLayers)
            .Select(i => new DecoderBlockWeights(config, i, (name, _) => SynthVerb.RandomTensor(rng, shapes[name]))).ToList();
        var embedding = SynthVerb.RandomTensor(rng, [config.VocabSize, config.HiddenSize]);
        var norm = Enumerable.Repeat(1f, config.HiddenSize).ToArray();
        var forward = new LlamaForward(config, blocks, embedding, norm, embedding, seqLen, target);
        Report("random-110M", config, forward, seqLen, seconds, peak, cancellationToken);
        return Task.FromResult(0);
    }

    private static void Report(string label, LlamaConfig c, LlamaForward forward, int seqLen, double seconds, double gflops,
        CancellationToken ct)
    {
        var rng = new Random(7);
        var tokens = Enumerable.Range(0, seqLen).Select(_ => rng.Next(c.VocabSize)).ToArray();
        forward.SequenceNll(tokens); // warm-up: JIT, page faults, torch's allocator
        var sw = Stopwatch.StartNew();
        var runs = 0;
        var best = double.MaxValue;
        while (runs < 3 || sw.Elapsed.TotalSeconds < seconds)
        {
            ct.ThrowIfCancellationRequested();
            var t0 = sw.Elapsed.TotalSeconds;
            forward.SequenceNll(tokens);
            best = Math.Min(best, sw.Elapsed.TotalSeconds - t0);
            runs++;
        }
        var mean = sw.Elapsed.TotalSeconds / runs;
        var limit = gflops * 1e9 / (2.0 * c.ParameterCount);
        // The fraction uses the best run, like the sgemm rate it is compared with (both best-of-N), so a busy
        // machine disturbs both sides alike; the mean is printed too.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label}: {c.ParameterCount:N0} params (hidden {c.HiddenSize}, intermediate {c.IntermediateSize}, {c.NumHiddenLayers} layers, " +
            $"{c.NumAttentionHeads}/{c.NumKeyValueHeads} heads, vocab {c.VocabSize}{(c.TieWordEmbeddings ? ", tied" : "")}), seqlen {seqLen}: " +
            $"{seqLen / best:N0} tokens/s best of {runs} runs ({seqLen / mean:N0} mean); GEMM-bound limit {limit:N0} tokens/s " +
            $"-> {seqLen / best / limit:P1} of limit (mean {seqLen / mean / limit:P1})"));
    }

    /// <summary>Best-of-N rate of one n×n×n matmul C = A·B in the target's dtype on its device.</summary>
    private static double MatmulRate(int n, ComputeTarget target, double seconds, CancellationToken ct)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(n);
        var a = (torch.rand(n, n) - 0.5).to(target.DType, target.Device);
        var b = (torch.rand(n, n) - 0.5).to(target.DType, target.Device);
        torch.mm(a, b).Dispose();
        Synchronize(target);
        var best = double.MaxValue;
        var sw = Stopwatch.StartNew();
        var runs = 0;
        while (runs < 2 || (sw.Elapsed.TotalSeconds < seconds && runs < 50))
        {
            ct.ThrowIfCancellationRequested();
            var t0 = sw.Elapsed.TotalSeconds;
            using (torch.mm(a, b)) Synchronize(target);
            best = Math.Min(best, sw.Elapsed.TotalSeconds - t0);
            runs++;
        }
        return 2.0 * n * n * (double)n / best / 1e9;
    }

    // CUDA kernels are asynchronous: time them only after they finished.
    private static void Synchronize(ComputeTarget target)
    {
        if (target.Device.type == DeviceType.CUDA) torch.cuda.synchronize(target.Device);
    }

    private static string RuntimeInfo() => $".NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}";

    private static string? FindShared(params string[] parts)
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine([dir.FullName, "shared", .. parts]);
                if (File.Exists(candidate)) return candidate;
            }
        }
        return null;
    }
}
