namespace PrunePipeline.Pruning.Tests;

/// <summary>Small layers with correlated input features: X = Z·A (Z Gaussian), H = XᵀX/N, W₀ Gaussian.</summary>
internal static class ToyProblems
{
    public static (float[] W0, float[] H) Make(int rows, int cols, int samples, int seed, double mixing = 0.6)
    {
        var rng = new Random(seed);
        double Gauss() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var a = new double[cols * cols];
        for (var i = 0; i < cols; i++)
            for (var j = 0; j < cols; j++)
                a[i * cols + j] = (i == j ? 1 : 0) + mixing * Gauss();
        var scale = new double[cols];
        for (var j = 0; j < cols; j++) scale[j] = Math.Exp(Gauss() * 0.7); // uneven feature magnitudes
        var h = new double[cols * cols];
        var x = new double[cols];
        for (var s = 0; s < samples; s++)
        {
            var z = new double[cols];
            for (var i = 0; i < cols; i++) z[i] = Gauss();
            for (var j = 0; j < cols; j++)
            {
                double v = 0;
                for (var i = 0; i < cols; i++) v += z[i] * a[i * cols + j];
                x[j] = v * scale[j];
            }
            for (var i = 0; i < cols; i++)
                for (var j = 0; j < cols; j++) h[i * cols + j] += x[i] * x[j] / samples;
        }
        var w0 = new float[rows * cols];
        for (var i = 0; i < w0.Length; i++) w0[i] = (float)Gauss();
        return (w0, h.Select(v => (float)v).ToArray());
    }

    /// <summary>Optimal 2:4 loss of one row: every mask, each refitted exactly (double precision).</summary>
    public static double OptimalRowLoss(float[] w0, float[] h, int row, int cols)
    {
        var groups = cols / 4;
        int[][] pairs = [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]];
        var best = double.MaxValue;
        var total = (int)Math.Pow(6, groups);
        var s = new int[cols / 2];
        for (var code = 0; code < total; code++)
        {
            var c = code;
            for (var g = 0; g < groups; g++) { var p = pairs[c % 6]; c /= 6; s[2 * g] = 4 * g + p[0]; s[2 * g + 1] = 4 * g + p[1]; }
            best = Math.Min(best, RefitLoss(w0, h, row, cols, s));
        }
        return best;
    }

    /// <summary>min over w_S of ½(w − w₀)ᵀH(w − w₀) = ½w₀ᵀHw₀ − ½ b_Sᵀ H_SS⁻¹ b_S, b = Hw₀.</summary>
    public static double RefitLoss(float[] w0, float[] h, int row, int cols, int[] s)
    {
        var k = s.Length;
        var b = new double[cols];
        double quad = 0;
        for (var i = 0; i < cols; i++)
        {
            for (var j = 0; j < cols; j++) b[i] += h[i * cols + j] * (double)w0[row * cols + j];
            quad += w0[row * cols + i] * b[i];
        }
        var m = new double[k, k + 1];
        for (var i = 0; i < k; i++) { for (var j = 0; j < k; j++) m[i, j] = h[s[i] * cols + s[j]]; m[i, k] = b[s[i]]; }
        for (var c = 0; c < k; c++)
        {
            var p = c;
            for (var r = c + 1; r < k; r++) if (Math.Abs(m[r, c]) > Math.Abs(m[p, c])) p = r;
            for (var j = 0; j <= k; j++) (m[c, j], m[p, j]) = (m[p, j], m[c, j]);
            for (var r = 0; r < k; r++)
            {
                if (r == c) continue;
                var f = m[r, c] / m[c, c];
                for (var j = c; j <= k; j++) m[r, j] -= f * m[c, j];
            }
        }
        double explained = 0;
        for (var i = 0; i < k; i++) explained += b[s[i]] * m[i, k] / m[i, i];
        return 0.5 * (quad - explained);
    }
}
