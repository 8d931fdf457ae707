using System.Numerics.Tensors;
using PrunePipeline.Numerics;

namespace PrunePipeline.Model.Kernels;

/// <summary>
/// Grouped-query causal attention over a whole sequence, per head through sgemm.
/// Legend: T tokens, H query heads, G kv heads (H multiple of G), D head size.
/// q: H×T×D, k, v: G×T×D (head-major), output: T×(H·D) token-major. Head h uses kv head h / (H/G).
/// out_h = softmax(Q_h·K_gᵀ/√D + causal mask)·V_g. Rows are processed in chunks so that keys after a chunk's last
/// row are never multiplied (saves about half of the T² work).
/// </summary>
public static class CausalAttention
{
    private const int Chunk = 128;

    /// <param name="scores">Scratch, at least T×T.</param>
    /// <param name="headOut">Scratch, at least T×D.</param>
    public static void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> output,
        Span<float> scores, Span<float> headOut, int tokens, int heads, int kvHeads, int headDim)
    {
        var T = tokens;
        var D = headDim;
        if (heads % kvHeads != 0) throw new ArgumentException($"heads {heads} not a multiple of kv heads {kvHeads}");
        if (q.Length < (long)heads * T * D || k.Length < (long)kvHeads * T * D || v.Length < (long)kvHeads * T * D ||
            output.Length < (long)T * heads * D || scores.Length < (long)T * T || headOut.Length < (long)T * D)
            throw new ArgumentException("attention buffers too short for the given dimensions");
        var group = heads / kvHeads;
        var scale = (float)(1.0 / Math.Sqrt(D));
        for (var h = 0; h < heads; h++)
        {
            var qh = q.Slice(h * T * D, T * D);
            var kg = k.Slice(h / group * T * D, T * D);
            var vg = v.Slice(h / group * T * D, T * D);
            for (var r0 = 0; r0 < T; r0 += Chunk)
            {
                var r1 = Math.Min(T, r0 + Chunk);
                var rows = r1 - r0;
                // scores[r0..r1, 0..r1] = Q[r0..r1]·K[0..r1]ᵀ·scale (row stride T)
                Blas.Sgemm(qh.Slice(r0 * D), false, kg, true, scores.Slice(r0 * T), rows, r1, D, scale, 0f, D, D, T);
                for (var t = r0; t < r1; t++) SoftmaxInPlace(scores.Slice(t * T, t + 1));
                // Keys after row t carry garbage from the chunk's gemm: zero them so P·V sees the causal mask.
                for (var t = r0; t < r1 - 1; t++) scores.Slice(t * T + t + 1, r1 - t - 1).Clear();
                Blas.Sgemm(scores.Slice(r0 * T), false, vg, false, headOut.Slice(r0 * D), rows, D, r1, 1f, 0f, T, D, D);
            }
            for (var t = 0; t < T; t++) headOut.Slice(t * D, D).CopyTo(output.Slice(t * heads * D + h * D, D));
        }
    }

    /// <summary>x ← exp(x − max x) / Σ exp(x − max x).</summary>
    public static void SoftmaxInPlace(Span<float> x)
    {
        var max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, x);
        TensorPrimitives.Exp(x, x);
        var sum = TensorPrimitives.Sum(x);
        TensorPrimitives.Multiply(x, 1f / sum, x);
    }
}
