using PrunePipeline.Model;

namespace PrunePipeline.Workflow.Hessians;

/// <summary>The Hessians of one decoder block, by input name (q/k/v share "attn_in", gate/up share "mlp_in").</summary>
public sealed class BlockHessians(IReadOnlyDictionary<string, LayerHessian> byInput)
{
    public IReadOnlyDictionary<string, LayerHessian> ByInput { get; } = byInput;

    /// <summary>The Hessian that linear <paramref name="linear"/> (e.g. "self_attn.q_proj") reads.</summary>
    public LayerHessian ForLinear(string linear)
    {
        var input = DecoderBlockWeights.InputNameOf(linear);
        return ByInput.TryGetValue(input, out var h)
            ? h
            : throw new InvalidOperationException($"no Hessian was captured for input '{input}' of '{linear}'.");
    }
}
