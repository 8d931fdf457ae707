namespace PrunePipeline.Model.Tests;

/// <summary>
/// Reference twin of the LLaMA forward: plain loops, one token at a time with a KV cache, double accumulators.
/// <c>AdjacentPairRope</c> switches RoPE to llama2.c's (2i, 2i+1) pairing so raw llama2.c weights can be checked.
/// </summary>
internal sealed class NaiveLlama
{
    public sealed class Layer
    {
        public required float[] AttnNorm, Wq, Wk, Wv, Wo, FfnNorm, Gate, Up, Down;
    }

    public required LlamaConfig Config { get; init; }
    public required float[] Embedding { get; init; }
    public required Layer[] Layers { get; init; }
    public required float[] FinalNorm { get; init; }
    public required float[] Head { get; init; }
    public bool AdjacentPairRope { get; init; }

    public static NaiveLlama FromModel(LlamaModel m) => new()
    {
        Config = m.Config,
        Embedding = m.Embedding,
        FinalNorm = m.FinalNorm,
        Head = m.LmHead,
        Layers = Enumerable.Range(0, m.Config.NumHiddenLayers).Select(i =>
        {
            var b = m.LoadBlock(i);
            return new Layer
            {
                AttnNorm = b.InputLayerNorm, Wq = b.Q, Wk = b.K, Wv = b.V, Wo = b.O,
                FfnNorm = b.PostAttentionLayerNorm, Gate = b.Gate, Up = b.Up, Down = b.Down,
            };
        }).ToArray(),
    };

    /// <summary>Logits T×V.</summary>
    public float[] Logits(int[] tokens)
    {
        var c = Config;
        int d = c.HiddenSize, D = c.HeadDim, H = c.NumAttentionHeads, G = c.NumKeyValueHeads, V = c.VocabSize, T = tokens.Length;
        var kCache = new float[c.NumHiddenLayers][][];
        var vCache = new float[c.NumHiddenLayers][][];
        for (var l = 0; l < c.NumHiddenLayers; l++) { kCache[l] = new float[T][]; vCache[l] = new float[T][]; }
        var logits = new float[T * V];
        for (var pos = 0; pos < T; pos++)
        {
            var x = Embedding.AsSpan(tokens[pos] * d, d).ToArray();
            for (var l = 0; l < c.NumHiddenLayers; l++)
            {
                var L = Layers[l];
                var xn = Norm(x, L.AttnNorm, c.RmsNormEps);
                var q = MatVec(L.Wq, xn, H * D);
                var k = MatVec(L.Wk, xn, G * D);
                var v = MatVec(L.Wv, xn, G * D);
                Rope(q, H, D, pos);
                Rope(k, G, D, pos);
                kCache[l][pos] = k;
                vCache[l][pos] = v;
                var att = new float[H * D];
                for (var h = 0; h < H; h++)
                {
                    var g = h / (H / G);
                    var scores = new double[pos + 1];
                    for (var t = 0; t <= pos; t++)
                    {
                        var s = 0.0;
                        for (var i = 0; i < D; i++) s += (double)q[h * D + i] * kCache[l][t][g * D + i];
                        scores[t] = s / Math.Sqrt(D);
                    }
                    var max = scores.Max();
                    var sum = scores.Sum(s => Math.Exp(s - max));
                    for (var i = 0; i < D; i++)
                    {
                        var acc = 0.0;
                        for (var t = 0; t <= pos; t++) acc += Math.Exp(scores[t] - max) / sum * vCache[l][t][g * D + i];
                        att[h * D + i] = (float)acc;
                    }
                }
                var o = MatVec(L.Wo, att, d);
                for (var i = 0; i < d; i++) x[i] += o[i];
                var xn2 = Norm(x, L.FfnNorm, c.RmsNormEps);
                var gate = MatVec(L.Gate, xn2, c.IntermediateSize);
                var up = MatVec(L.Up, xn2, c.IntermediateSize);
                var hmid = new float[c.IntermediateSize];
                for (var i = 0; i < hmid.Length; i++) hmid[i] = (float)(gate[i] / (1 + Math.Exp(-gate[i])) * up[i]);
                var down = MatVec(L.Down, hmid, d);
                for (var i = 0; i < d; i++) x[i] += down[i];
            }
            var xf = Norm(x, FinalNorm, c.RmsNormEps);
            MatVec(Head, xf, V).CopyTo(logits, pos * V);
        }
        return logits;
    }

    private void Rope(float[] x, int heads, int D, int pos)
    {
        for (var h = 0; h < heads; h++)
            for (var i = 0; i < D / 2; i++)
            {
                var angle = pos / Math.Pow(Config.RopeTheta, 2.0 * i / D);
                var (cos, sin) = (Math.Cos(angle), Math.Sin(angle));
                // HF rotate-half pairs (i, i + D/2); llama2.c pairs (2i, 2i + 1), both with frequency index i.
                var (a, b) = AdjacentPairRope ? (h * D + 2 * i, h * D + 2 * i + 1) : (h * D + i, h * D + i + D / 2);
                var (x1, x2) = ((double)x[a], (double)x[b]);
                x[a] = (float)(x1 * cos - x2 * sin);
                x[b] = (float)(x2 * cos + x1 * sin);
            }
    }

    private static float[] Norm(float[] x, float[] w, float eps)
    {
        var ss = x.Sum(v => (double)v * v) / x.Length;
        var s = 1.0 / Math.Sqrt(ss + eps);
        return x.Select((v, i) => (float)(v * s * w[i])).ToArray();
    }

    private static float[] MatVec(float[] w, float[] x, int rows)
    {
        var y = new float[rows];
        for (var r = 0; r < rows; r++)
        {
            var acc = 0.0;
            for (var i = 0; i < x.Length; i++) acc += (double)w[r * x.Length + i] * x[i];
            y[r] = (float)acc;
        }
        return y;
    }
}
