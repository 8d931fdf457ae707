using PrunePipeline.Errors;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunePipeline.Pruning;

/// <summary>
/// SparseGPT (algorithm.md §6; Frantar &amp; Alistarh 2023) for N:M or unstructured sparsity, without quantisation, on
/// torch tensors of any device. H ← H + δ·mean(diag H)·I (dead inputs: H_jj = 1 and their column of W zeroed first);
/// U = upper Cholesky factor of H⁻¹ (H⁻¹ = UᵀU, computed in double precision); columns swept left to right in blocks
/// of B. N:M: at each column i with i mod M = 0 every row prunes the M − N of columns i…i+M−1 with the smallest
/// w²/U_jj² (ties: the higher column is pruned). Unstructured: at the start of each block the round(ratio·rows·B)
/// smallest w²/U_jj² of the block are pruned. Each pruned weight's error (w − q)/U_ii is spread over the row's later
/// columns of the block with row i of U (all rows at once); later blocks get the accumulated error in one GEMM (lazy
/// batch update). Shapes: W rows×cols (updated in place), H cols×cols.
/// </summary>
internal static unsafe class SparseGpt
{
    /// <param name="forceTorch">Tests only: run the torch column sweep on the CPU too (normally CPU tensors use the C#
    /// row sweep, which is much faster there than one small torch operation per column).</param>
    public static (Tensor Mask, double DampingUsed) Run(Tensor w, Tensor h, SparsityPattern pattern, double damping, int retries,
        int blockSize, CancellationToken ct, bool forceTorch = false)
    {
        var rows = w.shape[0];
        var n = w.shape[1];
        var (u, dampingUsed) = InverseCholesky(h, w, damping, retries);
        using (u)
        {
            var mask = ones(rows, n, ScalarType.Byte, w.device);
            var block = pattern.IsUnstructured ? blockSize : (blockSize + pattern.M - 1) / pattern.M * pattern.M;
            using var ud = u.diagonal().contiguous();
            using var ud2 = ud * ud;
            for (long i1 = 0; i1 < n; i1 += block)
            {
                ct.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var i2 = Math.Min(n, i1 + block);
                var count = i2 - i1;
                var w1 = w.narrow(1, i1, count).clone();
                var m1 = mask.narrow(1, i1, count);
                var err = zeros(rows, count, ScalarType.Float32, w.device);
                var d2 = ud2.narrow(0, i1, count);
                if (pattern.IsUnstructured)
                    m1.copy_(TorchMasks.PruneLowestGlobal(w1 * w1 / d2, pattern.UnstructuredRatio!.Value));
                if (!forceTorch && TorchLayer.IsCpuFloat(w, u, err) && mask.is_contiguous())
                {
                    SweepBlockCpu(w, u, mask, err, (int)i1, (int)count, pattern);
                    if (i2 < n) w.narrow(1, i2, n - i2).sub_(err.mm(u.narrow(0, i1, count).narrow(1, i2, n - i2)));
                    continue;
                }
                for (long i = 0; i < count; i++)
                {
                    using var col = NewDisposeScope();
                    if (!pattern.IsUnstructured && i % pattern.M == 0)
                    {
                        var g = w1.narrow(1, i, pattern.M);
                        m1.narrow(1, i, pattern.M).copy_(TorchMasks.KeepTopNPerGroup(g * g / d2.narrow(0, i, pattern.M), pattern.N, pattern.M));
                    }
                    var wi = w1.select(1, i);
                    var q = wi * m1.select(1, i).to(ScalarType.Float32);
                    var e = (wi - q) / ud[i1 + i];
                    wi.copy_(q);
                    err.select(1, i).copy_(e);
                    if (i + 1 < count)
                        w1.narrow(1, i + 1, count - i - 1).sub_(e.unsqueeze(1) * u[i1 + i].narrow(0, i1 + i + 1, count - i - 1).unsqueeze(0));
                }
                w.narrow(1, i1, count).copy_(w1);
                // Lazy update of all later columns: W[:, i2:] −= Err · U[i1:i2, i2:].
                if (i2 < n) w.narrow(1, i2, n - i2).sub_(err.mm(u.narrow(0, i1, count).narrow(1, i2, n - i2)));
            }
            return (mask, dampingUsed);
        }
    }

    /// <summary>Upper Cholesky factor of (H + δ·mean diag·I)⁻¹ (fp32), retrying with δ·10 when not positive definite.</summary>
    /// <exception cref="InvalidOperationException">still not positive definite after the retries.</exception>
    internal static (Tensor U, double Damping) InverseCholesky(Tensor h, Tensor w, double damping, int retries)
    {
        // Every n×n fp64 intermediate is disposed as soon as the next exists (at a 7B down_proj each is 970 MB): at most
        // three are alive at once, where a dispose scope holding them all to the end needed about eight.
        var n = h.shape[0];
        using (var hDiag = h.diagonal())
        using (var dead = (hDiag > 0).logical_not())
        using (var deadRow = dead.unsqueeze(0))
            w.masked_fill_(deadRow, 0f);
        double mean;
        // The mean over the diagonal view of the fp64 matrix, exactly as it was computed before (same layout, same order).
        using (var fixedH = Damped(h, 0.0))
        using (var diag = fixedH.diagonal())
        using (var meanT = diag.mean())
            mean = meanT.item<double>();
        var delta = damping;
        var lastInfo = 0;
        for (var attempt = 0; attempt <= retries; attempt++, delta *= 10)
        {
            Tensor l;
            using (var damped = Damped(h, delta * mean))
            {
                var (factor, info) = linalg.cholesky_ex(damped);
                using (info) lastInfo = info.item<int>();
                l = factor;
            }
            if (lastInfo != 0) { l.Dispose(); continue; }
            // H⁻¹ = L⁻ᵀL⁻¹ by one triangular solve and one GEMM (libtorch's cholesky_inverse is ~50× slower on the CPU).
            Tensor lInv;
            using (l)
            using (var eye = torch.eye(n, dtype: ScalarType.Float64, device: h.device))
                lInv = linalg.solve_triangular(l, eye, upper: false);
            Tensor inverse;
            using (lInv)
            using (var lInvT = lInv.mT)
                inverse = lInvT.mm(lInv);
            Tensor l2;
            using (inverse)
            {
                var (factor2, info2) = linalg.cholesky_ex(inverse);
                using (info2) lastInfo = info2.item<int>();
                l2 = factor2;
            }
            using (l2)
            {
                if (lastInfo != 0) continue;
                using var l2T = l2.mT;
                using var upperStrided = l2T.to(ScalarType.Float32);
                var upper = upperStrided.contiguous();
                using var finiteEach = isfinite(upper);
                using var finite = finiteEach.all();
                if (finite.item<bool>()) return (upper, delta);
                upper.Dispose();
            }
        }
        throw new BadInputException(
            $"H is not positive definite even after damping δ = {delta / 10:G3} (×mean diag {mean:G4}; Cholesky info {lastInfo}); SparseGPT cannot proceed.");
    }

    /// <summary>H in fp64 with dead inputs' diagonal set to 1 and <paramref name="shift"/> added to the diagonal
    /// (the same values as H + shift·I, without the identity and the sum as two more n×n temporaries).</summary>
    private static Tensor Damped(Tensor h, double shift)
    {
        var result = h.to(ScalarType.Float64, copy: true);
        using var diag = result.diagonal();
        using var dead = (diag > 0).logical_not();
        diag.masked_fill_(dead, 1.0);
        diag.add_(shift);
        return result;
    }

    /// <summary>The block's column sweep on the CPU, in place on the tensors' memory: rows are independent problems
    /// sharing U, so each row runs its own sweep (in parallel for large blocks).</summary>
    private static void SweepBlockCpu(Tensor w, Tensor u, Tensor mask, Tensor err, int i1, int count, SparsityPattern pattern)
    {
        var rows = (int)w.shape[0];
        var n = (int)w.shape[1];
        nint pw = (nint)TorchLayer.Pointer(w), pu = (nint)TorchLayer.Pointer(u), pe = (nint)TorchLayer.Pointer(err);
        fixed (byte* pmFixed = mask.bytes)
        {
            var pm = (nint)pmFixed;
            if ((long)rows * count < 16384)
                for (var r = 0; r < rows; r++) SweepRow((float*)pw, (float*)pu, (byte*)pm, (float*)pe, r, n, i1, count, pattern);
            else
                Parallel.For(0, rows, r => SweepRow((float*)pw, (float*)pu, (byte*)pm, (float*)pe, r, n, i1, count, pattern));
        }
    }

    private static void SweepRow(float* wAll, float* u, byte* mask, float* err, int r, int n, int i1, int count, SparsityPattern pattern)
    {
        var w = new Span<float>(wAll + (long)r * n + i1, count);
        var mrow = new Span<byte>(mask + (long)r * n + i1, count);
        Span<int> order = stackalloc int[pattern.IsUnstructured ? 1 : pattern.M];
        for (var i = 0; i < count; i++)
        {
            if (!pattern.IsUnstructured && i % pattern.M == 0)
            {
                var m = pattern.M;
                for (var k = 0; k < m; k++) order[k] = k;
                // Keep the N largest w²/U_jj² (ties: lower column kept), prune the rest.
                for (var a = 1; a < m; a++)
                    for (var b = a; b > 0 && Score(w, u, n, i1, i + order[b]) > Score(w, u, n, i1, i + order[b - 1]); b--)
                        (order[b], order[b - 1]) = (order[b - 1], order[b]);
                for (var k = 0; k < m; k++) mrow[i + order[k]] = (byte)(k < pattern.N ? 1 : 0);
            }
            var col = i1 + i;
            var wi = w[i];
            var q = mrow[i] != 0 ? wi : 0f;
            var e = (wi - q) / u[(long)col * n + col];
            w[i] = q;
            err[(long)r * count + i] = e;
            if (e == 0) continue;
            var urow = new ReadOnlySpan<float>(u + (long)col * n + col + 1, count - i - 1);
            var rest = w.Slice(i + 1);
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(urow, -e, rest, rest);
        }
    }

    private static float Score(Span<float> w, float* u, int n, int i1, int i)
    {
        var d = u[(long)(i1 + i) * n + i1 + i];
        return w[i] * w[i] / (d * d);
    }
}
