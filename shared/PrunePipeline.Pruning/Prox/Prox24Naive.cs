namespace PrunePipeline.Pruning.Prox;

/// <summary>
/// Deliberately plain, double-precision reference twin of <see cref="Prox24"/> for tests: one group at a time,
/// a stable sort, the three candidate supports of §3, and the same tie rule. Production code never calls it except
/// as the fallback on CPUs without AVX.
/// </summary>
public static class Prox24Naive
{
    /// <summary>x = prox_t(z) for one group of four (z, x: length 4). Returns the number of non-zeros of x.</summary>
    public static int Group(ReadOnlySpan<float> z, Span<float> x, double t, Prox24Options? options = null)
    {
        if (z.Length != 4 || x.Length != 4) throw new ArgumentException("a 2:4 group has exactly four entries.");
        options ??= Prox24Options.Default;
        Span<double> zd = stackalloc double[4];
        for (var i = 0; i < 4; i++) zd[i] = z[i];
        Span<double> xd = stackalloc double[4];
        var nnz = Group(zd, xd, t, options);
        for (var i = 0; i < 4; i++) x[i] = (float)xd[i];
        return nnz;
    }

    /// <summary>Double-precision group prox (z, x: length 4). Returns the number of non-zeros of x.</summary>
    public static int Group(ReadOnlySpan<double> z, Span<double> x, double t, Prox24Options? options = null)
    {
        options ??= Prox24Options.Default;
        if (t < 0 || double.IsNaN(t)) throw new ArgumentException($"prox weight t must be ≥ 0, got {t}.");
        // Stable descending sort of |z| (ties keep the lower index first), remembering the permutation.
        Span<int> order = stackalloc int[4] { 0, 1, 2, 3 };
        for (var i = 1; i < 4; i++)
            for (var j = i; j > 0 && Math.Abs(z[order[j]]) > Math.Abs(z[order[j - 1]]); j--)
                (order[j], order[j - 1]) = (order[j - 1], order[j]);
        Span<double> y = stackalloc double[4];
        for (var i = 0; i < 4; i++) y[i] = Math.Abs(z[order[i]]);

        Span<double> best = stackalloc double[4] { y[0], y[1], 0, 0 };
        var bestF = Objective(best, y, t);
        var bestN = CountNonZeros(best);
        Span<double> c = stackalloc double[4];
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var support = 3 + attempt % 2;
            if (attempt >= 2)
            {
                // InteriorRestart: only when the descent from 0 of this support ended on the boundary.
                if (!options.InteriorRestart || y[2] == 0) break;
                c.Clear();
                Descend(y, c, t, support, options, fromZero: true);
                var boundary = false;
                for (var i = 0; i < support; i++) boundary |= c[i] == 0;
                if (!boundary) continue;
                var k = support == 3 ? 2.0 : 6.0;
                for (var i = 0; i < support; i++) c[i] = 2 * y[i] / (1 + Math.Sqrt(1 + 2 * k * t * y[i]));
                Descend(y, c, t, support, options, fromZero: false);
            }
            else
            {
                Descend(y, c, t, support, options, fromZero: true);
            }
            var f = Objective(c, y, t);
            var nz = CountNonZeros(c);
            if (f < bestF || (f == bestF && nz < bestN))
            {
                c.CopyTo(best);
                bestF = f;
                bestN = nz;
            }
        }
        for (var i = 0; i < 4; i++) x[order[i]] = z[order[i]] < 0 ? -best[i] : best[i];
        return bestN;
    }

    /// <summary>½‖x − y‖² + t·e3(x) for non-negative x (the objective of §3 on sorted magnitudes).</summary>
    public static double Objective(ReadOnlySpan<double> x, ReadOnlySpan<double> y, double t)
    {
        double q = 0;
        for (var i = 0; i < 4; i++) q += (x[i] - y[i]) * (x[i] - y[i]);
        return 0.5 * q + t * E3(x);
    }

    /// <summary>Third elementary symmetric polynomial of |x| — the 2:4 regularizer r of §2.</summary>
    public static double E3(ReadOnlySpan<double> x)
    {
        double a = Math.Abs(x[0]), b = Math.Abs(x[1]), c = Math.Abs(x[2]), d = Math.Abs(x[3]);
        return a * b * c + a * b * d + a * c * d + b * c * d;
    }

    // Exact cyclic coordinate minimisation (from 0 unless a start is given) over the first `support` sorted coordinates, largest index first.
    private static void Descend(ReadOnlySpan<double> y, Span<double> x, double t, int support, Prox24Options options, bool fromZero)
    {
        if (fromZero) x.Clear();
        var tol = options.RelativeTolerance * (1 + y[0]);
        for (var sweep = 0; sweep < options.MaxSweeps; sweep++)
        {
            double change = 0;
            for (var i = support - 1; i >= 0; i--)
            {
                double e2 = 0; // sum of pairwise products of the other active coordinates
                for (var j = 0; j < support; j++)
                    for (var k = j + 1; k < support; k++)
                        if (j != i && k != i) e2 += x[j] * x[k];
                var v = Math.Max(0, y[i] - t * e2);
                change = Math.Max(change, Math.Abs(v - x[i]));
                x[i] = v;
            }
            if (change < tol) break;
        }
    }

    private static int CountNonZeros(ReadOnlySpan<double> x)
    {
        var n = 0;
        foreach (var v in x) if (v != 0) n++;
        return n;
    }
}
