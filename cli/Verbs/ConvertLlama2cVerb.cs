using PrunePipeline.Model.Llama2c;
using PrunePipeline.Tokenizers;
using PrunePipeline.Workflow.Output;

namespace PrunePipeline.Cli.Verbs;

/// <summary>prunectl convert-llama2c: llama2.c checkpoint + tokenizer.bin → HF model directory.</summary>
public sealed class ConvertLlama2cVerb : IVerb
{
    public string Name => "convert-llama2c";

    public string Summary => "convert a llama2.c checkpoint (+ tokenizer.bin) into an HF LLaMA directory";

    public string Usage => """
        usage: prunectl convert-llama2c --checkpoint MODEL.bin --tokenizer TOKENIZER.bin --out DIR [--force]
          Writes DIR/config.json, generation_config.json, model.safetensors (F32) and the tokenizer files.
          DIR must not exist or be empty; --force replaces only a previous output of prunectl.
          q/k rows are permuted so HF rotate-half RoPE reproduces llama2.c's adjacent-pair RoPE exactly.
        """;

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var checkpoint = args.Required("checkpoint");
        var tokenizer = args.Required("tokenizer");
        var outDir = args.Required("out");
        var force = args.Flag("force");
        args.ThrowOnUnused();
        if (!File.Exists(tokenizer)) throw new FileNotFoundException($"tokenizer not found: {tokenizer}", tokenizer);
        var config = OutputGuard.WriteDirectory(outDir, force, [checkpoint, tokenizer], tmp =>
        {
            var c = Llama2cConverter.Convert(checkpoint, tmp);
            TokenizerFiles.WriteToDirectory(tokenizer, tmp);
            return c;
        });
        Console.WriteLine($"wrote {outDir}: {config.NumHiddenLayers} layers, hidden {config.HiddenSize}, intermediate {config.IntermediateSize}, " +
                          $"heads {config.NumAttentionHeads}/{config.NumKeyValueHeads} kv, vocab {config.VocabSize}, " +
                          $"{(config.TieWordEmbeddings ? "tied" : "untied")} head, {config.ParameterCount:N0} parameters");
        return Task.FromResult(0);
    }
}
