using PrunePipeline.Model;
using PrunePipeline.Model.Safetensors;
using PrunePipeline.Tokenizers;
using PrunePipeline.Workflow.Output;

namespace PrunePipeline.Cli.Verbs;

/// <summary>prunectl synth: a random-weight LLaMA directory of any shape, written tensor by tensor.</summary>
public sealed class SynthVerb : IVerb
{
    public string Name => "synth";

    public string Summary => "write a random-weight LLaMA model directory (for tests and benchmarks)";

    public string Usage => """
        usage: prunectl synth --layers K --hidden H --intermediate I --heads A [--kv-heads B (default A)] --vocab V
                              [--seed S (default 0)] [--rope-theta T (default 10000)] [--tied] [--dtype F32|F16|BF16]
                              [--tokenizer tokenizer.bin] --out DIR [--force]
          Weights ~ N(0, 1/in), norms 1. Tensors are generated and written one at a time, so 7B-shaped layers fit in memory.
        """;

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var heads = Positive(args, "heads", null);
        var config = new LlamaConfig
        {
            NumHiddenLayers = Positive(args, "layers", null),
            HiddenSize = Positive(args, "hidden", null),
            IntermediateSize = Positive(args, "intermediate", null),
            NumAttentionHeads = heads,
            NumKeyValueHeads = Positive(args, "kv-heads", heads),
            VocabSize = Positive(args, "vocab", null),
            RopeTheta = args.Double("rope-theta", 10000),
            TieWordEmbeddings = args.Flag("tied"),
            HeadDim = 0,
        };
        config = config with { HeadDim = config.HiddenSize / heads };
        if (config.HiddenSize % heads != 0) throw new UsageException($"--hidden {config.HiddenSize} must be a multiple of --heads {heads}.");
        var seed = args.Int("seed", 0);
        var dtype = (args.Optional("dtype") ?? "F32").ToUpperInvariant();
        var tokenizer = args.Optional("tokenizer");
        var outDir = args.Required("out");
        var force = args.Flag("force");
        args.ThrowOnUnused();
        config.Validate("synth options");
        if (SafetensorsDType.ElementSize(dtype) is null) throw new UsageException($"--dtype must be F32, F16 or BF16, got '{dtype}'.");
        if (tokenizer is not null && !File.Exists(tokenizer)) throw new FileNotFoundException($"tokenizer not found: {tokenizer}", tokenizer);

        var rng = new Random(seed);
        OutputGuard.WriteDirectory(outDir, force, tokenizer is null ? [] : [tokenizer], tmp =>
        {
            LlamaModelWriter.Write(tmp, config, (name, shape) =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                return RandomTensor(rng, shape);
            }, dtype);
            if (tokenizer is not null) TokenizerFiles.WriteToDirectory(tokenizer, tmp);
            return 0;
        });
        Console.WriteLine($"wrote {outDir}: {config.ParameterCount:N0} parameters ({dtype})");
        return Task.FromResult(0);
    }

    /// <summary>Norm weights (1-D) are 1; matrices ~ N(0, 1/cols) so activations keep their scale through the layers.</summary>
    internal static float[] RandomTensor(Random rng, long[] shape)
    {
        var values = new float[checked((int)shape.Aggregate(1L, (a, b) => a * b))];
        if (shape.Length == 1)
        {
            Array.Fill(values, 1f);
            return values;
        }
        var scale = 1.0 / Math.Sqrt(shape[1]);
        for (var i = 0; i < values.Length; i += 2)
        {
            // Box–Muller gives two normals per pair of uniforms.
            var r = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * scale;
            var theta = 2 * Math.PI * rng.NextDouble();
            values[i] = (float)(r * Math.Cos(theta));
            if (i + 1 < values.Length) values[i + 1] = (float)(r * Math.Sin(theta));
        }
        return values;
    }

    private static int Positive(CliArgs args, string name, int? fallback)
    {
        var v = fallback is null ? args.OptionalInt(name) ?? throw new UsageException($"missing required option --{name}.") : args.Int(name, fallback.Value);
        if (v <= 0) throw new UsageException($"--{name} must be positive, got {v}.");
        return v;
    }
}
