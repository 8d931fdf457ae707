using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static TorchSharp.torch;

namespace PrunePipeline.Pruning.Prox;

/// <summary>
/// The exact proximal operator of the 2:4 regularizer (algorithm.md §3), for a whole matrix:
/// <c>x = argmin ½‖x − z‖² + t·Σ_groups e3(|x_g|)</c>, groups = four consecutive entries (a row-major m×n matrix
/// with n % 4 = 0 has its groups along the input dimension). Each group is solved independently and exactly:
/// sort |z| decreasingly, evaluate the candidate supports {2, 3, 4} (the last two by cyclic coordinate
/// minimisation from 0, largest index first, stopping per group at change &lt; tol·(1 + y1) or MaxSweeps), keep the
/// smallest objective (ties → fewer non-zeros), restore order and signs.
/// The fast path works in fp32 on eight groups per AVX vector (groups in lanes, each lane frozen once its own
/// stopping rule fires, so the result is the per-group algorithm); <see cref="Prox24Naive"/> is its fp64 twin.
/// </summary>
public static unsafe class Prox24
{
    private const int BlockGroups = 8;
    private const int ChunkGroups = 2048;

    /// <summary>
    /// x ← prox_t(z) for all groups (z, x: same length, a multiple of 4; may be the same buffer).
    /// Returns the number of groups of x with more than two non-zeros.
    /// </summary>
    public static long Apply(ReadOnlySpan<float> z, Span<float> x, float t, Prox24Options? options = null, bool parallel = false)
    {
        if (z.Length != x.Length) throw new ArgumentException($"z has {z.Length} entries but x has {x.Length}.");
        fixed (float* pz = z)
        fixed (float* px = x)
            return Run(pz, px, null, null, 0, z.Length, t, options ?? Prox24Options.Default, parallel);
    }

    /// <summary>
    /// The Matrix Prox Pruner's fused step: v ← prox_t(u), then u ← v + η·g0 (the constant part of the next
    /// gradient step, so the next iteration is a single sgemm with β = 1). Returns the count of non-2-sparse groups.
    /// </summary>
    internal static long ApplyFused(Span<float> u, Span<float> v, ReadOnlySpan<float> g0, float eta, float t,
        Prox24Options options, bool parallel)
    {
        if (u.Length != v.Length || g0.Length != u.Length) throw new ArgumentException("u, v and g0 must have equal lengths.");
        fixed (float* pu = u)
        fixed (float* pv = v)
        fixed (float* pg = g0)
            return Run(pu, pv, pg, pu, eta, u.Length, t, options, parallel);
    }

    /// <summary>
    /// x ← prox_t(z) for tensors on any device (same shape, entries a multiple of 4; x may be z). On the CPU with AVX
    /// the SIMD kernel works on the tensors' own memory (no copy); elsewhere <see cref="Prox24Torch"/> runs.
    /// Returns the number of groups of x with more than two non-zeros.
    /// </summary>
    public static long Apply(Tensor z, Tensor x, float t, Prox24Options? options = null, bool parallel = true)
    {
        if (z.numel() != x.numel()) throw new ArgumentException($"z has {z.numel()} entries but x has {x.numel()}.");
        options ??= Prox24Options.Default;
        if (!UsesSimdKernel(z, x)) return Prox24Torch.Apply(z, x, t, options);
        return Run(TorchLayer.Pointer(z), TorchLayer.Pointer(x), null, null, 0, checked((int)z.numel()), t, options, parallel);
    }

    /// <summary>The fused step of <see cref="ApplyFused(Span{float}, Span{float}, ReadOnlySpan{float}, float, float, Prox24Options, bool)"/>
    /// on tensors: v ← prox_t(u), u ← v + η·g0.</summary>
    internal static long ApplyFused(Tensor u, Tensor v, Tensor g0, float eta, float t, Prox24Options options, bool parallel)
    {
        if (u.numel() != v.numel() || g0.numel() != u.numel()) throw new ArgumentException("u, v and g0 must have equal lengths.");
        if (UsesSimdKernel(u, v, g0))
        {
            var pu = TorchLayer.Pointer(u);
            return Run(pu, TorchLayer.Pointer(v), TorchLayer.Pointer(g0), pu, eta, checked((int)u.numel()), t, options, parallel);
        }
        var dense = Prox24Torch.Apply(u, v, t, options);
        u.copy_(v).add_(g0, alpha: eta);
        return dense;
    }

    /// <summary>True when the tensors are contiguous fp32 CPU tensors and the CPU has AVX: the C# kernel, several times
    /// faster than the torch formulation on a CPU, runs on their memory.</summary>
    public static bool UsesSimdKernel(params Tensor[] tensors) =>
        Avx.IsSupported && TorchLayer.IsCpuFloat(tensors) && tensors.All(t => t.numel() <= int.MaxValue);

    /// <summary>Σ over groups of e3(|w_g|): the regularizer r of §2 (double accumulation).</summary>
    public static double Regularizer(ReadOnlySpan<float> w)
    {
        if (w.Length % 4 != 0) throw new ArgumentException($"length {w.Length} is not a multiple of 4.");
        double s = 0;
        for (var i = 0; i < w.Length; i += 4)
        {
            double a = Math.Abs(w[i]), b = Math.Abs(w[i + 1]), c = Math.Abs(w[i + 2]), d = Math.Abs(w[i + 3]);
            s += a * b * c + a * b * d + a * c * d + b * c * d;
        }
        return s;
    }

    /// <summary>Number of groups of four with more than two non-zeros.</summary>
    public static long DenseGroups(ReadOnlySpan<float> w)
    {
        if (w.Length % 4 != 0) throw new ArgumentException($"length {w.Length} is not a multiple of 4.");
        long n = 0;
        for (var i = 0; i < w.Length; i += 4)
            if ((w[i] != 0 ? 1 : 0) + (w[i + 1] != 0 ? 1 : 0) + (w[i + 2] != 0 ? 1 : 0) + (w[i + 3] != 0 ? 1 : 0) > 2) n++;
        return n;
    }

    private static long Run(float* z, float* x, float* g0, float* u, float eta, int length, float t, Prox24Options options, bool parallel)
    {
        options.Validate();
        if (length % 4 != 0) throw new ArgumentException($"length {length} is not a multiple of 4 (2:4 groups).");
        if (!(t >= 0) || float.IsInfinity(t)) throw new ArgumentException($"prox weight t must be finite and ≥ 0, got {t}.");
        var groups = length / 4;
        var chunks = (groups + ChunkGroups - 1) / ChunkGroups;
        if (!parallel || chunks < 2)
            return RunRange(z, x, g0, u, eta, 0, groups, t, options);
        long dense = 0;
        nint pz = (nint)z, px = (nint)x, pg = (nint)g0, pu = (nint)u;
        Parallel.For(0, chunks, () => 0L, (c, _, local) =>
        {
            var start = c * ChunkGroups;
            var end = Math.Min(groups, start + ChunkGroups);
            return local + RunRange((float*)pz, (float*)px, (float*)pg, (float*)pu, eta, start, end, t, options);
        }, local => Interlocked.Add(ref dense, local));
        return dense;
    }

    private static long RunRange(float* z, float* x, float* g0, float* u, float eta, int startGroup, int endGroup, float t, Prox24Options options)
    {
        long dense = 0;
        var g = startGroup;
        if (Avx.IsSupported)
        {
            for (; g + BlockGroups <= endGroup; g += BlockGroups)
                dense += Prox24Block.Run(z + 4 * g, x + 4 * g, g0 == null ? null : g0 + 4 * g, u == null ? null : u + 4 * g, eta, t, options);
            if (g < endGroup)
            {
                // Tail: pad to a full block with zero groups (they are 2-sparse and cost nothing).
                var n = 4 * (endGroup - g);
                float* bz = stackalloc float[32], bx = stackalloc float[32], bg = stackalloc float[32];
                new Span<float>(bz, 32).Clear();
                new Span<float>(bg, 32).Clear();
                new Span<float>(z + 4 * g, n).CopyTo(new Span<float>(bz, 32));
                if (g0 != null) new Span<float>(g0 + 4 * g, n).CopyTo(new Span<float>(bg, 32));
                dense += Prox24Block.Run(bz, bx, g0 == null ? null : bg, g0 == null ? null : bz, eta, t, options);
                new Span<float>(bx, n).CopyTo(new Span<float>(x + 4 * g, n));
                if (u != null) new Span<float>(bz, n).CopyTo(new Span<float>(u + 4 * g, n));
            }
            return dense;
        }
        // No AVX: the fp64 reference, group by group.
        Span<float> tmp = stackalloc float[4];
        for (; g < endGroup; g++)
        {
            var nz = Prox24Naive.Group(new ReadOnlySpan<float>(z + 4 * g, 4), tmp, t, options);
            tmp.CopyTo(new Span<float>(x + 4 * g, 4));
            if (nz > 2) dense++;
            if (u != null)
                for (var i = 0; i < 4; i++) u[4 * g + i] = tmp[i] + eta * g0[4 * g + i];
        }
        return dense;
    }
}
