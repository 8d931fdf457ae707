using PrunePipeline.Errors;
using PrunePipeline.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PrunePipeline.Model;

/// <summary>
/// One LLaMA/Mistral decoder block (HF semantics) on torch, device- and dtype-agnostic:
/// h ← h + o_proj(attn(rope(q_proj(n₁)), rope(k_proj(n₁)), v_proj(n₁))), n₁ = RMSNorm(h);
/// h ← h + down_proj(silu(gate_proj(n₂)) ⊙ up_proj(n₂)), n₂ = RMSNorm(h).
/// Legend: B sequences, T tokens, d hidden, H query heads, G kv heads (GQA: head h reads kv head h / (H/G)), D head
/// size, f intermediate. Attention is <c>scaled_dot_product_attention</c> with the causal mask.
/// </summary>
public static class DecoderBlock
{
    /// <summary>The block on a batch of sequences of equal length.</summary>
    /// <param name="hidden">[B, T, d] in the compute dtype on the compute device (not modified).</param>
    /// <param name="observer">Optional: receives attn_in, o_in, mlp_in, down_in as fp32 rows (B·T of them).</param>
    /// <returns>The block's output, [B, T, d].</returns>
    public static Tensor Forward(BlockTensors w, LlamaConfig c, Tensor hidden, RopeTables rope, ILinearInputObserver? observer = null)
    {
        if (hidden.dim() != 3 || hidden.shape[2] != c.HiddenSize)
            throw new ArgumentException($"hidden must be [B, T, {c.HiddenSize}], is [{string.Join(", ", hidden.shape)}]", nameof(hidden));
        long B = hidden.shape[0], T = hidden.shape[1];
        if (T > c.SlidingWindow)
            throw new UnsupportedInputException($"{T} tokens exceed sliding_window {c.SlidingWindow}; sliding-window attention is not implemented");
        int H = c.NumAttentionHeads, G = c.NumKeyValueHeads, D = c.HeadDim;
        using var scope = torch.NewDisposeScope();
        var l = w.Linears;

        var n1 = RmsNorm(hidden, w.InputNorm, c.RmsNormEps);
        Observe(observer, "attn_in", n1);
        var q = rope.Apply(F.linear(n1, l[0]).view(B, T, H, D)).transpose(1, 2);  // B×H×T×D
        var k = rope.Apply(F.linear(n1, l[1]).view(B, T, G, D)).transpose(1, 2);  // B×G×T×D
        var v = F.linear(n1, l[2]).view(B, T, G, D).transpose(1, 2);
        if (H != G)
        {
            k = k.repeat_interleave(H / G, 1);
            v = v.repeat_interleave(H / G, 1);
        }
        var attn = F.scaled_dot_product_attention(q, k, v, null, 0.0, true).transpose(1, 2).reshape(B, T, H * D);
        Observe(observer, "o_in", attn);
        var h = hidden + F.linear(attn, l[3]);

        var n2 = RmsNorm(h, w.PostAttentionNorm, c.RmsNormEps);
        Observe(observer, "mlp_in", n2);
        var act = F.silu(F.linear(n2, l[4])) * F.linear(n2, l[5]);
        Observe(observer, "down_in", act);
        h = h + F.linear(act, l[6]);
        return h.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The block on one sequence held in a span (T×d fp32, updated in place), for callers that keep activations in
    /// managed arrays (calibration). Weights are viewed, not copied, when the workspace computes fp32 on the CPU.
    /// </summary>
    /// <param name="observer">Optional: receives attn_in, o_in, mlp_in, down_in (see <see cref="ILinearInputObserver"/>).</param>
    public static void Forward(DecoderBlockWeights w, LlamaConfig c, Span<float> hidden, int T, BlockWorkspace ws,
        ILinearInputObserver? observer = null)
    {
        int d = c.HiddenSize;
        if (T <= 0 || T > ws.MaxTokens) throw new ArgumentOutOfRangeException(nameof(T), T, $"must be in 1..{ws.MaxTokens} (workspace size)");
        if (T > c.SlidingWindow)
            throw new UnsupportedInputException($"{T} tokens exceed sliding_window {c.SlidingWindow}; sliding-window attention is not implemented");
        if (hidden.Length < (long)T * d) throw new ArgumentException($"hidden needs {T}×{d} values, has {hidden.Length}", nameof(hidden));
        if (ws.Config.HiddenSize != d || ws.Config.QueryDim != c.QueryDim || ws.Config.KeyValueDim != c.KeyValueDim ||
            ws.Config.IntermediateSize != c.IntermediateSize || ws.Config.HeadDim != c.HeadDim || ws.Config.RopeTheta != c.RopeTheta)
            throw new ArgumentException("workspace was sized for a different config", nameof(ws));
        using var scope = torch.NewDisposeScope();
        var weights = ws.Weights(w);
        var h = TensorMemory.Copy(hidden[..(T * d)], 1, T, d);
        if (!ws.IsCpuFloat32) h = h.to(ws.Target.DType, ws.Target.Device);
        var result = Forward(weights, c, h, ws.Rope, observer);
        TensorMemory.CopyTo(result, hidden[..(T * d)]);
        if (!ws.CachesWeights) weights.Dispose();
    }

    /// <summary>RMSNorm in fp32 (fp64 for fp64 input; as HF does for half-precision models): x·rsqrt(mean(x²) + ε)·w, cast back.</summary>
    internal static Tensor RmsNorm(Tensor x, Tensor weight, float eps)
    {
        using var scope = torch.NewDisposeScope();
        // fp64 stays fp64: the training gradients are checked against finite differences in double.
        var xf = x.dtype == ScalarType.Float64 ? x : x.to_type(ScalarType.Float32);
        var normed = xf * torch.rsqrt(xf.pow(2).mean([-1], keepdim: true) + eps);
        return (normed.to_type(x.dtype) * weight).MoveToOuterDisposeScope();
    }

    private static void Observe(ILinearInputObserver? observer, string name, Tensor x)
    {
        if (observer is null) return;
        var cols = (int)x.shape[^1];
        using var rows = x.reshape(-1, cols);
        using var cpu = rows.device_type == DeviceType.CPU && rows.dtype == ScalarType.Float32 && rows.is_contiguous()
            ? rows.alias() : rows.to(ScalarType.Float32, torch.CPU).contiguous();
        observer.Observe(name, TensorMemory.Floats(cpu), (int)rows.shape[0], cols);
    }
}
