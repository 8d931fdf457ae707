using System.Numerics.Tensors;
using PrunePipeline.Model.Kernels;
using PrunePipeline.Numerics;
using PrunePipeline.Errors;

namespace PrunePipeline.Model;

/// <summary>
/// One LLaMA decoder block over a whole sequence (HF semantics, fp32):
/// h ← h + o_proj(attn(rope(q_proj(n₁)), rope(k_proj(n₁)), v_proj(n₁))), n₁ = RMSNorm(h);
/// h ← h + down_proj(silu(gate_proj(n₂)) ⊙ up_proj(n₂)), n₂ = RMSNorm(h).
/// Every linear is one sgemm Y = X·Wᵀ over all T tokens.
/// </summary>
public static class DecoderBlock
{
    /// <param name="hidden">T×d activations, updated in place.</param>
    /// <param name="observer">Optional: receives attn_in, o_in, mlp_in, down_in (see <see cref="ILinearInputObserver"/>).</param>
    public static void Forward(DecoderBlockWeights w, LlamaConfig c, Span<float> hidden, int T, BlockWorkspace ws,
        ILinearInputObserver? observer = null)
    {
        int d = c.HiddenSize, qd = c.QueryDim, kvd = c.KeyValueDim, f = c.IntermediateSize;
        if (T <= 0 || T > ws.MaxTokens) throw new ArgumentOutOfRangeException(nameof(T), T, $"must be in 1..{ws.MaxTokens} (workspace size)");
        if (T > c.SlidingWindow)
            throw new UnsupportedInputException($"{T} tokens exceed sliding_window {c.SlidingWindow}; sliding-window attention is not implemented");
        if (hidden.Length < (long)T * d) throw new ArgumentException($"hidden needs {T}×{d} values, has {hidden.Length}", nameof(hidden));
        if (ws.Config.HiddenSize != d || ws.Config.QueryDim != qd || ws.Config.KeyValueDim != kvd || ws.Config.IntermediateSize != f ||
            ws.Config.HeadDim != c.HeadDim || ws.Config.RopeTheta != c.RopeTheta)
            throw new ArgumentException("workspace was sized for a different config", nameof(ws));
        var h = hidden[..(T * d)];

        // Attention half.
        var n1 = ws.Normed.AsSpan(0, T * d);
        RmsNorm.Forward(h, w.InputLayerNorm, n1, T, d, c.RmsNormEps);
        observer?.Observe("attn_in", n1, T, d);
        var q = ws.Query.AsSpan(0, T * qd);
        var k = ws.Key.AsSpan(0, T * kvd);
        var v = ws.Value.AsSpan(0, T * kvd);
        Blas.Sgemm(n1, false, w.Q, true, q, T, qd, d);
        Blas.Sgemm(n1, false, w.K, true, k, T, kvd, d);
        Blas.Sgemm(n1, false, w.V, true, v, T, kvd, d);
        var qh = ws.QueryHeads.AsSpan(0, T * qd);
        var kh = ws.KeyHeads.AsSpan(0, T * kvd);
        var vh = ws.ValueHeads.AsSpan(0, T * kvd);
        ws.Rotary.ApplyToHeadMajor(q, qh, T, c.NumAttentionHeads);
        ws.Rotary.ApplyToHeadMajor(k, kh, T, c.NumKeyValueHeads);
        ToHeadMajor(v, vh, T, c.NumKeyValueHeads, c.HeadDim);
        var attn = ws.AttentionOut.AsSpan(0, T * qd);
        CausalAttention.Forward(qh, kh, vh, attn, ws.Scores, ws.HeadOut, T, c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim);
        observer?.Observe("o_in", attn, T, qd);
        var proj = ws.Projected.AsSpan(0, T * d);
        Blas.Sgemm(attn, false, w.O, true, proj, T, d, qd);
        TensorPrimitives.Add(h, proj, h);

        // MLP half.
        var n2 = ws.Normed.AsSpan(0, T * d);
        RmsNorm.Forward(h, w.PostAttentionLayerNorm, n2, T, d, c.RmsNormEps);
        observer?.Observe("mlp_in", n2, T, d);
        var gate = ws.Gate.AsSpan(0, T * f);
        var up = ws.Up.AsSpan(0, T * f);
        Blas.Sgemm(n2, false, w.Gate, true, gate, T, f, d);
        Blas.Sgemm(n2, false, w.Up, true, up, T, f, d);
        // silu(g)·u = g·σ(g)·u, computed in place without another T×f buffer.
        TensorPrimitives.Multiply(up, gate, up);
        TensorPrimitives.Sigmoid(gate, gate);
        TensorPrimitives.Multiply(up, gate, gate);
        observer?.Observe("down_in", gate, T, f);
        Blas.Sgemm(gate, false, w.Down, true, proj, T, d, f);
        TensorPrimitives.Add(h, proj, h);
    }

    private static void ToHeadMajor(ReadOnlySpan<float> x, Span<float> dst, int T, int heads, int D)
    {
        for (var t = 0; t < T; t++)
            for (var hh = 0; hh < heads; hh++)
                x.Slice((t * heads + hh) * D, D).CopyTo(dst.Slice((hh * T + t) * D, D));
    }
}
