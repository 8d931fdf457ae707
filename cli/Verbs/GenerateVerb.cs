using PrunePipeline.Model;
using PrunePipeline.Tokenizers;

namespace PrunePipeline.Cli.Verbs;

/// <summary>prunectl generate: greedy continuation of a prompt.</summary>
public sealed class GenerateVerb : IVerb
{
    public string Name => "generate";

    public string Summary => "greedy text generation from a model directory";

    public string Usage => """
        usage: prunectl generate --model DIR --prompt "TEXT" [--max-tokens N (default 64)] [--device D] [--compute-dtype T] [--threads N]
          Prints the prompt followed by the greedy (argmax) continuation; stops at EOS.
        """ + "\n" + ComputeOptions.Usage;

    public Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var dir = args.Required("model");
        var prompt = args.Required("prompt");
        var maxTokens = args.Int("max-tokens", 64);
        var target = ComputeOptions.Apply(args);
        args.ThrowOnUnused();
        if (maxTokens <= 0) throw new UsageException("--max-tokens must be positive.");
        using var model = LlamaModel.Open(dir);
        var tokenizer = TokenizerFiles.Load(dir);
        var ids = tokenizer.Encode(prompt, addBos: true);
        var capacity = Math.Min(model.Config.MaxPositionEmbeddings, ids.Length + maxTokens);
        if (ids.Length >= capacity)
            throw new ArgumentException($"the prompt has {ids.Length} tokens; the model's context is {model.Config.MaxPositionEmbeddings}");
        var forward = LlamaForward.Create(model, capacity, cancellationToken, target);
        var generated = GreedyGenerator.Generate(forward, ids, maxTokens, tokenizer.EosId, cancellationToken);
        Console.WriteLine(prompt + tokenizer.Decode(generated));
        return Task.FromResult(0);
    }
}
