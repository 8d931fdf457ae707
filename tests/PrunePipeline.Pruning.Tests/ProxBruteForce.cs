namespace PrunePipeline.Pruning.Tests;

/// <summary>
/// An independent minimiser of ½‖x − a‖² + t·e3(x) over x ≥ 0 (a = |z|, no sorting, no coordinate descent):
/// enumerate all 16 supports; supports of size ≤ 2 have the closed form x_S = a_S; supports of size 3 and 4 are
/// minimised by damped, projected Newton from a grid of starts. The smallest objective found wins.
/// </summary>
internal static class ProxBruteForce
{
    public static double MinObjective(ReadOnlySpan<double> a, double t)
    {
        var best = double.MaxValue;
        Span<int> idx = stackalloc int[4];
        for (var mask = 0; mask < 16; mask++)
        {
            var k = 0;
            for (var i = 0; i < 4; i++) if ((mask & (1 << i)) != 0) idx[k++] = i;
            double off = 0;
            for (var i = 0; i < 4; i++) if ((mask & (1 << i)) == 0) off += a[i] * a[i];
            if (k <= 2) { best = Math.Min(best, 0.5 * off); continue; }
            var starts = new List<double[]>();
            double[] levels = [0.15, 0.5, 1.0];
            var count = (int)Math.Pow(levels.Length, k);
            for (var s = 0; s < count; s++)
            {
                var x = new double[k];
                var r = s;
                for (var i = 0; i < k; i++) { x[i] = levels[r % levels.Length] * a[idx[i]]; r /= levels.Length; }
                starts.Add(x);
            }
            var aS = new double[k];
            for (var i = 0; i < k; i++) aS[i] = a[idx[i]];
            foreach (var x0 in starts)
                best = Math.Min(best, 0.5 * off + Newton(aS, x0, t));
        }
        return best;
    }

    private static double F(double[] a, double[] x, double t)
    {
        double q = 0;
        for (var i = 0; i < a.Length; i++) q += (x[i] - a[i]) * (x[i] - a[i]);
        double e3 = 0;
        var k = a.Length;
        for (var i = 0; i < k; i++)
            for (var j = i + 1; j < k; j++)
                for (var l = j + 1; l < k; l++) e3 += x[i] * x[j] * x[l];
        return 0.5 * q + t * e3;
    }

    private static double Newton(double[] a, double[] x, double t)
    {
        var k = a.Length;
        var f = F(a, x, t);
        var g = new double[k];
        var h = new double[k, k];
        var d = new double[k];
        var trial = new double[k];
        for (var it = 0; it < 100; it++)
        {
            for (var i = 0; i < k; i++)
            {
                double e2 = 0;
                for (var j = 0; j < k; j++)
                    for (var l = j + 1; l < k; l++)
                        if (j != i && l != i) e2 += x[j] * x[l];
                g[i] = x[i] - a[i] + t * e2;
                for (var j = 0; j < k; j++)
                {
                    if (j == i) { h[i, j] = 1; continue; }
                    double s = 0;
                    for (var l = 0; l < k; l++) if (l != i && l != j) s += x[l];
                    h[i, j] = t * s;
                }
            }
            var ok = Solve(h, g, d, k);
            double gd = 0;
            for (var i = 0; i < k; i++) gd += g[i] * d[i];
            if (!ok || gd <= 0) { Array.Copy(g, d, k); gd = 0; for (var i = 0; i < k; i++) gd += g[i] * g[i]; }
            if (gd <= 1e-300) break;
            var step = 1.0;
            var improved = false;
            for (var ls = 0; ls < 60; ls++, step *= 0.5)
            {
                for (var i = 0; i < k; i++) trial[i] = Math.Max(0, x[i] - step * d[i]);
                var ft = F(a, trial, t);
                if (ft < f) { Array.Copy(trial, x, k); f = ft; improved = true; break; }
            }
            if (!improved) break;
        }
        return f;
    }

    private static bool Solve(double[,] hIn, double[] b, double[] x, int k)
    {
        var m = new double[k, k + 1];
        for (var i = 0; i < k; i++) { for (var j = 0; j < k; j++) m[i, j] = hIn[i, j]; m[i, k] = b[i]; }
        for (var c = 0; c < k; c++)
        {
            var p = c;
            for (var r = c + 1; r < k; r++) if (Math.Abs(m[r, c]) > Math.Abs(m[p, c])) p = r;
            if (Math.Abs(m[p, c]) < 1e-300) return false;
            for (var j = 0; j <= k; j++) (m[c, j], m[p, j]) = (m[p, j], m[c, j]);
            for (var r = 0; r < k; r++)
            {
                if (r == c) continue;
                var f = m[r, c] / m[c, c];
                for (var j = c; j <= k; j++) m[r, j] -= f * m[c, j];
            }
        }
        for (var i = 0; i < k; i++) x[i] = m[i, k] / m[i, i];
        return true;
    }
}
