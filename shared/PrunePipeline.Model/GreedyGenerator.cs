using System.Numerics.Tensors;
using PrunePipeline.Errors;
using PrunePipeline.Tensors;

namespace PrunePipeline.Model;

/// <summary>
/// Greedy (argmax) decoding. Each step reruns the forward over the whole prefix (no KV cache): simple and exactly the
/// evaluated forward path, at O(n²) cost, which is fine for the short continuations it is used for.
/// </summary>
public static class GreedyGenerator
{
    /// <summary>Returns the generated ids (prompt excluded); stops after <paramref name="maxNewTokens"/>, at EOS, or at the forward's capacity.</summary>
    public static int[] Generate(LlamaForward forward, ReadOnlySpan<int> prompt, int maxNewTokens, int? eosId, CancellationToken ct = default)
    {
        if (prompt.IsEmpty) throw new ArgumentException("the prompt has no tokens", nameof(prompt));
        var tokens = new List<int>(prompt.Length + maxNewTokens);
        tokens.AddRange(prompt);
        var logits = new float[forward.Config.VocabSize];
        var generated = new List<int>();
        while (generated.Count < maxNewTokens && tokens.Count < forward.MaxTokens)
        {
            ct.ThrowIfCancellationRequested();
            forward.LastLogits(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(tokens), logits);
            // Finite weights can still overflow; an argmax over NaN/Inf would print garbage and exit 0.
            var bad = Finite.FirstNonFinite(logits);
            if (bad >= 0)
                throw new BadInputException($"the model's logits contain {(float.IsNaN(logits[bad]) ? "NaN" : "Inf")} (token id {bad}) after {tokens.Count} tokens: the weights overflow in float32.");
            var next = TensorPrimitives.IndexOfMax(logits);
            if (next == eosId) break;
            tokens.Add(next);
            generated.Add(next);
        }
        return [.. generated];
    }
}
