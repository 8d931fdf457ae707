using PrunePipeline.Model;

namespace PrunePipeline.Workflow.Hessians;

/// <summary>The Hessians of one decoder block, by input name (q/k/v share "attn_in", gate/up share "mlp_in").</summary>
public sealed class BlockHessians(IReadOnlyDictionary<string, LayerHessian> byInput)
{
    private readonly Dictionary<string, LayerHessian> _byInput = new(byInput, StringComparer.Ordinal);

    public IReadOnlyDictionary<string, LayerHessian> ByInput => _byInput;

    /// <summary>Drops the H that <paramref name="linear"/> read when no later linear of the block (forward order) reads
    /// it too, so a block being pruned holds only the Hessians still to be used.</summary>
    public void ReleaseAfter(string linear)
    {
        var input = DecoderBlockWeights.InputNameOf(linear);
        var later = DecoderBlockWeights.LinearNames.SkipWhile(n => n != linear).Skip(1);
        if (!later.Any(n => DecoderBlockWeights.InputNameOf(n) == input)) _byInput.Remove(input);
    }

    /// <summary>The Hessian that linear <paramref name="linear"/> (e.g. "self_attn.q_proj") reads.</summary>
    public LayerHessian ForLinear(string linear)
    {
        var input = DecoderBlockWeights.InputNameOf(linear);
        return ByInput.TryGetValue(input, out var h)
            ? h
            : throw new InvalidOperationException($"no Hessian was captured for input '{input}' of '{linear}'.");
    }
}
