using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using V = System.Runtime.Intrinsics.Vector256<float>;

namespace PrunePipeline.Pruning.Prox;

/// <summary>
/// Eight 2:4 groups (32 consecutive floats) in the eight lanes of AVX vectors: transpose to structure-of-arrays,
/// sort the four magnitudes with a five-comparator network (ties → lower index first, i.e. a stable sort),
/// run the support-3 and support-4 coordinate descents with per-lane freezing, pick the best candidate,
/// scatter back, restore signs, transpose back. Requires AVX.
/// </summary>
internal static unsafe class Prox24Block
{
    /// <summary>x ← prox_t(z) on 32 floats; when u != null also u ← x + η·g0. Returns groups with &gt; 2 non-zeros.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Run(float* z, float* x, float* g0, float* u, float eta, float t, Prox24Options options)
    {
        V c0, c1, c2, c3;
        Transpose(Vector256.Load(z), Vector256.Load(z + 8), Vector256.Load(z + 16), Vector256.Load(z + 24), out c0, out c1, out c2, out c3);
        var zero = V.Zero;
        var one = Vector256.Create(1f);
        var zeros = (Vector256.Equals(c0, zero) & one) + (Vector256.Equals(c1, zero) & one) +
                       (Vector256.Equals(c2, zero) & one) + (Vector256.Equals(c3, zero) & one);
        // Every group already has ≥ 2 zeros, or t = 0: prox is the identity (exact).
        if (t == 0 || Vector256.GreaterThanOrEqualAll(zeros, Vector256.Create(2f)))
        {
            Store(x, u, g0, eta, Vector256.Load(z), Vector256.Load(z + 8), Vector256.Load(z + 16), Vector256.Load(z + 24));
            // t = 0 leaves denser groups as they are: count them.
            return BitOperations.PopCount(Vector256.LessThan(zeros, Vector256.Create(2f)).ExtractMostSignificantBits());
        }

        // Sort magnitudes decreasingly, carrying original positions.
        V y0 = Vector256.Abs(c0), y1 = Vector256.Abs(c1), y2 = Vector256.Abs(c2), y3 = Vector256.Abs(c3);
        V i0 = zero, i1 = one, i2 = Vector256.Create(2f), i3 = Vector256.Create(3f);
        Exchange(ref y0, ref i0, ref y1, ref i1);
        Exchange(ref y2, ref i2, ref y3, ref i3);
        Exchange(ref y0, ref i0, ref y2, ref i2);
        Exchange(ref y1, ref i1, ref y3, ref i3);
        Exchange(ref y1, ref i1, ref y2, ref i2);

        var vt = Vector256.Create(t);
        var tol = Vector256.Create((float)options.RelativeTolerance) * (one + y0);
        // Lanes whose third magnitude is 0 are 2-sparse already: c2 = z wins; never iterate them.
        var active3 = Vector256.GreaterThan(y2, zero);
        var active4 = active3;
        V a1 = zero, a2 = zero, a3 = zero;           // support-3 candidate
        V b1 = zero, b2 = zero, b3 = zero, b4 = zero; // support-4 candidate
        Descend3(y0, y1, y2, vt, tol, active3, options.MaxSweeps, ref a1, ref a2, ref a3);
        Descend4(y0, y1, y2, y3, vt, tol, active4, options.MaxSweeps, ref b1, ref b2, ref b3, ref b4);
        // Objectives ½‖x − y‖² + t·e3(x), summed in the same order as the naive twin.
        var half = Vector256.Create(0.5f);
        V s0 = y0, s1 = y1, s2 = zero, s3 = zero;
        var bf = half * ((zero + zero) + y2 * y2 + y3 * y3);
        var bn = (Vector256.GreaterThan(y0, zero) & one) + (Vector256.GreaterThan(y1, zero) & one);
        Consider(y0, y1, y2, y3, vt, a1, a2, a3, zero, ref s0, ref s1, ref s2, ref s3, ref bf, ref bn);
        Consider(y0, y1, y2, y3, vt, b1, b2, b3, b4, ref s0, ref s1, ref s2, ref s3, ref bf, ref bn);
        if (options.InteriorRestart)
        {
            // A descent from 0 that ends on the boundary can miss an interior minimiser (near triple ties):
            // restart those lanes from the per-coordinate symmetric guess and keep the better candidate.
            var again3 = active3 & (Vector256.Equals(a1, zero) | Vector256.Equals(a2, zero) | Vector256.Equals(a3, zero));
            if (again3 != zero)
            {
                a1 = SymmetricStart(y0, vt, 2f); a2 = SymmetricStart(y1, vt, 2f); a3 = SymmetricStart(y2, vt, 2f);
                Descend3(y0, y1, y2, vt, tol, again3, options.MaxSweeps, ref a1, ref a2, ref a3);
                Consider(y0, y1, y2, y3, vt, a1, a2, a3, zero, ref s0, ref s1, ref s2, ref s3, ref bf, ref bn, again3);
            }
            var again4 = active4 & (Vector256.Equals(b1, zero) | Vector256.Equals(b2, zero) | Vector256.Equals(b3, zero) | Vector256.Equals(b4, zero));
            if (again4 != zero)
            {
                b1 = SymmetricStart(y0, vt, 6f); b2 = SymmetricStart(y1, vt, 6f); b3 = SymmetricStart(y2, vt, 6f); b4 = SymmetricStart(y3, vt, 6f);
                Descend4(y0, y1, y2, y3, vt, tol, again4, options.MaxSweeps, ref b1, ref b2, ref b3, ref b4);
                Consider(y0, y1, y2, y3, vt, b1, b2, b3, b4, ref s0, ref s1, ref s2, ref s3, ref bf, ref bn, again4);
            }
        }
        var dense = BitOperations.PopCount(Vector256.GreaterThan(bn, Vector256.Create(2f)).ExtractMostSignificantBits());

        // Scatter back to original positions and restore signs (the results are ≥ 0, so OR-ing the sign bit is exact).
        var sign = Vector256.Create(-0f);
        var o0 = Unsort(zero, s0, s1, s2, s3, i0, i1, i2) | (c0 & sign);
        var o1 = Unsort(one, s0, s1, s2, s3, i0, i1, i2) | (c1 & sign);
        var o2 = Unsort(Vector256.Create(2f), s0, s1, s2, s3, i0, i1, i2) | (c2 & sign);
        var o3 = Unsort(Vector256.Create(3f), s0, s1, s2, s3, i0, i1, i2) | (c3 & sign);
        Transpose(o0, o1, o2, o3, out var r0, out var r1, out var r2, out var r3);
        Store(x, u, g0, eta, r0, r1, r2, r3);
        return dense;
    }

    /// <summary>x with x + (k/2)·t·x² = y: the fixed point if all active magnitudes were equal (k = 2 for three
    /// active, 6 for four). Computed as 2y / (1 + √(1 + 2k·t·y)) to avoid cancellation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V SymmetricStart(V y, V t, float k) =>
        (y + y) / (Vector256.Create(1f) + Vector256.Sqrt(Vector256.Create(1f) + Vector256.Create(2f * k) * t * y));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Descend3(V y0, V y1, V y2, V vt, V tol, V active, int maxSweeps, ref V a1, ref V a2, ref V a3)
    {
        var zero = V.Zero;
        for (var sweep = 0; sweep < maxSweeps && active != zero; sweep++)
        {
            var n3 = Vector256.Max(zero, y2 - vt * (a1 * a2));
            var n2 = Vector256.Max(zero, y1 - vt * (a1 * n3));
            var n1 = Vector256.Max(zero, y0 - vt * (n2 * n3));
            var ch = Vector256.Max(Vector256.Abs(n3 - a3), Vector256.Max(Vector256.Abs(n2 - a2), Vector256.Abs(n1 - a1)));
            a3 = Vector256.ConditionalSelect(active, n3, a3);
            a2 = Vector256.ConditionalSelect(active, n2, a2);
            a1 = Vector256.ConditionalSelect(active, n1, a1);
            active &= Vector256.GreaterThanOrEqual(ch, tol);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Descend4(V y0, V y1, V y2, V y3, V vt, V tol, V active, int maxSweeps, ref V b1, ref V b2, ref V b3, ref V b4)
    {
        var zero = V.Zero;
        for (var sweep = 0; sweep < maxSweeps && active != zero; sweep++)
        {
            var n4 = Vector256.Max(zero, y3 - vt * (b1 * b2 + b1 * b3 + b2 * b3));
            var n3 = Vector256.Max(zero, y2 - vt * (b1 * b2 + b1 * n4 + b2 * n4));
            var n2 = Vector256.Max(zero, y1 - vt * (b1 * n3 + b1 * n4 + n3 * n4));
            var n1 = Vector256.Max(zero, y0 - vt * (n2 * n3 + n2 * n4 + n3 * n4));
            var ch = Vector256.Max(Vector256.Max(Vector256.Abs(n4 - b4), Vector256.Abs(n3 - b3)),
                Vector256.Max(Vector256.Abs(n2 - b2), Vector256.Abs(n1 - b1)));
            b4 = Vector256.ConditionalSelect(active, n4, b4);
            b3 = Vector256.ConditionalSelect(active, n3, b3);
            b2 = Vector256.ConditionalSelect(active, n2, b2);
            b1 = Vector256.ConditionalSelect(active, n1, b1);
            active &= Vector256.GreaterThanOrEqual(ch, tol);
        }
    }

    /// <summary>Replaces the best candidate by x where x has a smaller objective (ties: fewer non-zeros).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Consider(V y0, V y1, V y2, V y3, V vt, V x1, V x2, V x3, V x4,
        ref V s0, ref V s1, ref V s2, ref V s3, ref V bf, ref V bn, V? lanes = null)
    {
        var zero = V.Zero;
        var one = Vector256.Create(1f);
        V d1 = x1 - y0, d2 = x2 - y1, d3 = x3 - y2, d4 = x4 - y3;
        var e3 = x1 * x2 * x3 + x1 * x2 * x4 + x1 * x3 * x4 + x2 * x3 * x4;
        var f = Vector256.Create(0.5f) * (d1 * d1 + d2 * d2 + d3 * d3 + d4 * d4) + vt * e3;
        var n = (Vector256.GreaterThan(x1, zero) & one) + (Vector256.GreaterThan(x2, zero) & one) +
                (Vector256.GreaterThan(x3, zero) & one) + (Vector256.GreaterThan(x4, zero) & one);
        var take = Vector256.LessThan(f, bf) | (Vector256.Equals(f, bf) & Vector256.LessThan(n, bn));
        if (lanes is { } l) take &= l;
        s0 = Vector256.ConditionalSelect(take, x1, s0);
        s1 = Vector256.ConditionalSelect(take, x2, s1);
        s2 = Vector256.ConditionalSelect(take, x3, s2);
        s3 = Vector256.ConditionalSelect(take, x4, s3);
        bf = Vector256.ConditionalSelect(take, f, bf);
        bn = Vector256.ConditionalSelect(take, n, bn);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static V Unsort(V k, V s0, V s1, V s2, V s3, V i0, V i1, V i2) =>
        Vector256.ConditionalSelect(Vector256.Equals(i0, k), s0,
            Vector256.ConditionalSelect(Vector256.Equals(i1, k), s1,
                Vector256.ConditionalSelect(Vector256.Equals(i2, k), s2, s3)));

    /// <summary>Descending compare-exchange on (magnitude, position) with ties broken by the lower position.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Exchange(ref V ya, ref V ia, ref V yb, ref V ib)
    {
        var swap = Vector256.GreaterThan(yb, ya) | (Vector256.Equals(yb, ya) & Vector256.LessThan(ib, ia));
        var ny = Vector256.ConditionalSelect(swap, yb, ya);
        var ni = Vector256.ConditionalSelect(swap, ib, ia);
        yb = Vector256.ConditionalSelect(swap, ya, yb);
        ib = Vector256.ConditionalSelect(swap, ia, ib);
        ya = ny;
        ia = ni;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* x, float* u, float* g0, float eta, V r0, V r1, V r2, V r3)
    {
        r0.Store(x); r1.Store(x + 8); r2.Store(x + 16); r3.Store(x + 24);
        if (u == null) return;
        var e = Vector256.Create(eta);
        (r0 + e * Vector256.Load(g0)).Store(u);
        (r1 + e * Vector256.Load(g0 + 8)).Store(u + 8);
        (r2 + e * Vector256.Load(g0 + 16)).Store(u + 16);
        (r3 + e * Vector256.Load(g0 + 24)).Store(u + 24);
    }

    /// <summary>
    /// 4×4 transpose inside each 128-bit half: rows (r0..r3) holding two groups each become four vectors holding
    /// entry k of all eight groups (lane order g0 g2 g4 g6 | g1 g3 g5 g7). It is an involution, so the same call
    /// transposes back.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(V r0, V r1, V r2, V r3, out V c0, out V c1, out V c2, out V c3)
    {
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        c0 = Avx.Shuffle(t0, t2, 0x44);
        c1 = Avx.Shuffle(t0, t2, 0xEE);
        c2 = Avx.Shuffle(t1, t3, 0x44);
        c3 = Avx.Shuffle(t1, t3, 0xEE);
    }
}
