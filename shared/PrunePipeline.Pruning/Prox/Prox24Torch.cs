using TorchSharp;
using static TorchSharp.torch;

namespace PrunePipeline.Pruning.Prox;

/// <summary>
/// The exact 2:4 prox of algorithm.md §3 in torch operations, for any device: all groups at once as the rows of a
/// G×4 matrix. Same algorithm as <see cref="Prox24"/>'s SIMD kernel and <see cref="Prox24Naive"/>: stable descending
/// sort of |z|, the candidate supports {2, 3, 4} (3 and 4 by cyclic coordinate minimisation from 0, largest index
/// first), each group frozen once its own stopping rule fires (change &lt; tol·(1 + y1), or MaxSweeps), the optional
/// interior restart, the smallest objective (ties → fewer non-zeros), order and signs restored. fp32.
/// </summary>
public static class Prox24Torch
{
    /// <summary>How many sweeps run between two "is any group still moving?" checks (each check synchronises).</summary>
    private const int SweepsPerCheck = 8;

    /// <summary>x ← prox_t(z) (same shape, number of entries a multiple of 4; x may be z). Returns the number of
    /// groups of x with more than two non-zeros.</summary>
    public static long Apply(Tensor z, Tensor x, float t, Prox24Options? options = null)
    {
        options ??= Prox24Options.Default;
        options.Validate();
        if (z.numel() % 4 != 0) throw new ArgumentException($"length {z.numel()} is not a multiple of 4 (2:4 groups).");
        if (!(t >= 0) || float.IsInfinity(t)) throw new ArgumentException($"prox weight t must be finite and ≥ 0, got {t}.");
        using var scope = NewDisposeScope();
        if (t == 0)
        {
            x.copy_(z);
            return ((z.reshape(-1, 4) != 0).sum(1) > 2).sum().item<long>();
        }
        return ApplyPerGroup(z, x, tensor(t, device: z.device), options);
    }

    /// <summary>The same with one weight per group (<paramref name="t"/>: a scalar tensor or one entry per group, ≥ 0).</summary>
    internal static long ApplyPerGroup(Tensor z, Tensor x, Tensor t, Prox24Options options)
    {
        using var scope = NewDisposeScope();
        var zg = z.reshape(-1, 4);
        var (y, idx) = zg.abs().sort(1, descending: true, stable: true);
        var y0 = y.select(1, 0).contiguous();
        var y1 = y.select(1, 1).contiguous();
        var y2 = y.select(1, 2).contiguous();
        var y3 = y.select(1, 3).contiguous();
        var tol = (y0 + 1f) * (float)options.RelativeTolerance;
        var live = y2 > 0; // third magnitude 0: already 2-sparse, the support-2 candidate (z itself) wins
        var zero = zeros_like(y0);
        var a = Descend(y0, y1, y2, y3, t, tol, live, options.MaxSweeps, [zero, zero, zero]);
        var b = Descend(y0, y1, y2, y3, t, tol, live, options.MaxSweeps, [zero, zero, zero, zero]);

        var best = new Tensor[] { y0, y1, zero, zero };
        var bf = (y2 * y2 + y3 * y3) * 0.5f;
        var bn = (y0 > 0).to(ScalarType.Float32) + (y1 > 0).to(ScalarType.Float32);
        Consider(y0, y1, y2, y3, t, [a[0], a[1], a[2], zero], best, ref bf, ref bn, null);
        Consider(y0, y1, y2, y3, t, b, best, ref bf, ref bn, null);
        if (options.InteriorRestart)
        {
            var again3 = live & ((a[0] == 0) | (a[1] == 0) | (a[2] == 0));
            if (again3.any().item<bool>())
            {
                var a2 = Descend(y0, y1, y2, y3, t, tol, again3, options.MaxSweeps,
                    [SymmetricStart(y0, t, 2f), SymmetricStart(y1, t, 2f), SymmetricStart(y2, t, 2f)]);
                Consider(y0, y1, y2, y3, t, [a2[0], a2[1], a2[2], zero], best, ref bf, ref bn, again3);
            }
            var again4 = live & ((b[0] == 0) | (b[1] == 0) | (b[2] == 0) | (b[3] == 0));
            if (again4.any().item<bool>())
            {
                var b2 = Descend(y0, y1, y2, y3, t, tol, again4, options.MaxSweeps,
                    [SymmetricStart(y0, t, 6f), SymmetricStart(y1, t, 6f), SymmetricStart(y2, t, 6f), SymmetricStart(y3, t, 6f)]);
                Consider(y0, y1, y2, y3, t, b2, best, ref bf, ref bn, again4);
            }
        }
        var sorted = stack(best, 1);
        var magnitudes = zeros_like(zg).scatter_(1, idx, sorted);
        var result = where(zg < 0, -magnitudes, magnitudes);
        x.copy_(result.reshape(x.shape));
        return (bn > 2).sum().item<long>();
    }

    /// <summary>x with x + (k/2)·t·x² = y (all active magnitudes equal), as 2y / (1 + √(1 + 2k·t·y)).</summary>
    private static Tensor SymmetricStart(Tensor y, Tensor t, float k) => y * 2f / ((y * t * (2f * k) + 1f).sqrt() + 1f);

    /// <summary>Cyclic exact coordinate minimisation over the first <c>start.Length</c> sorted coordinates (3 or 4),
    /// largest index first; lanes not in <paramref name="active"/> keep their start, lanes freeze once converged.</summary>
    private static Tensor[] Descend(Tensor y0, Tensor y1, Tensor y2, Tensor y3, Tensor t, Tensor tol, Tensor active, int maxSweeps, Tensor[] start)
    {
        var x = start.Select(s => s.clone()).ToArray();
        var act = active.clone();
        var ys = new[] { y0, y1, y2, y3 };
        var k = x.Length;
        for (var sweep = 0; sweep < maxSweeps; sweep++)
        {
            if (sweep % SweepsPerCheck == 0 && !act.any().item<bool>()) break;
            using var inner = NewDisposeScope();
            var next = (Tensor[])x.Clone();
            var change = zeros_like(y0);
            for (var i = k - 1; i >= 0; i--)
            {
                // Sum of pairwise products of the other coordinates (already updated ones at their new value).
                Tensor? e2 = null;
                for (var p = 0; p < k; p++)
                    for (var q = p + 1; q < k; q++)
                        if (p != i && q != i) e2 = e2 is null ? next[p] * next[q] : e2 + next[p] * next[q];
                var v = (ys[i] - e2! * t).clamp_min(0f);
                change = maximum(change, (v - next[i]).abs());
                next[i] = v;
            }
            for (var i = 0; i < k; i++)
            {
                var updated = where(act, next[i], x[i]).MoveToOuterDisposeScope();
                x[i].Dispose();
                x[i] = updated;
            }
            var stillMoving = (act & (change >= tol)).MoveToOuterDisposeScope();
            act.Dispose();
            act = stillMoving;
        }
        return x;
    }

    /// <summary>Replaces the best candidate where <paramref name="c"/> has a smaller objective (ties: fewer non-zeros).</summary>
    private static void Consider(Tensor y0, Tensor y1, Tensor y2, Tensor y3, Tensor t, Tensor[] c, Tensor[] best,
        ref Tensor bf, ref Tensor bn, Tensor? lanes)
    {
        Tensor d1 = c[0] - y0, d2 = c[1] - y1, d3 = c[2] - y2, d4 = c[3] - y3;
        var e3 = c[0] * c[1] * c[2] + c[0] * c[1] * c[3] + c[0] * c[2] * c[3] + c[1] * c[2] * c[3];
        var f = (d1 * d1 + d2 * d2 + d3 * d3 + d4 * d4) * 0.5f + e3 * t;
        var n = (c[0] > 0).to(ScalarType.Float32) + (c[1] > 0).to(ScalarType.Float32) +
                (c[2] > 0).to(ScalarType.Float32) + (c[3] > 0).to(ScalarType.Float32);
        var take = (f < bf) | ((f == bf) & (n < bn));
        if (lanes is not null) take = take & lanes;
        for (var i = 0; i < 4; i++) best[i] = where(take, c[i], best[i]);
        bf = where(take, f, bf);
        bn = where(take, n, bn);
    }
}
