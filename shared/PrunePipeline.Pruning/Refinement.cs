using PrunePipeline.Errors;
using PrunePipeline.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunePipeline.Pruning;

/// <summary>
/// Masked refinement (algorithm.md §5): minimise f(W) = ½ Σ_rows (w − w₀)ᵀ H (w − w₀) over W with W = 0 off the
/// mask. Shapes: W₀, W, mask rows×cols row-major; H cols×cols. Tensors may live on any one device; the span overloads
/// run on the CPU. Callable on its own; <see cref="LayerRefinement"/> is the entry point that also knows the prox
/// method's rescaled space.
/// </summary>
public static class Refinement
{
    /// <summary>
    /// Projected gradient descent W ← M ⊙ (W − η·(W − W₀)·H), η = 1/L with L = λ_max(H)·1.01 (power iteration)
    /// unless <paramref name="lipschitz"/> is given. One GEMM per step: W₀H is computed once and the step is
    /// U = W + ηW₀H (element-wise), U ← −η·W·H + U (GEMM with β = 1), W = M ⊙ U. f never rises with this η.
    /// </summary>
    public static void Gd(ReadOnlySpan<float> w0, ReadOnlySpan<float> h, Span<float> weights, ReadOnlySpan<byte> mask,
        int rows, int cols, int steps = 1000, double? lipschitz = null, Action<PruneProgress>? progress = null,
        CancellationToken ct = default)
    {
        CheckShapes(w0, h, weights, mask, rows, cols);
        using var t = SpanTensors.Create(w0, h, weights, mask, rows, cols);
        Gd(t.W0, t.H, t.W, t.Mask, steps, lipschitz, progress, ct);
        TorchLayer.Floats(t.W).CopyTo(weights);
    }

    /// <summary><see cref="Gd(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, ReadOnlySpan{byte}, int, int, int, double?, Action{PruneProgress}?, CancellationToken)"/>
    /// on tensors; <paramref name="weights"/> (fp32, contiguous) is updated in place.</summary>
    public static void Gd(Tensor w0, Tensor h, Tensor weights, Tensor mask, int steps = 1000, double? lipschitz = null,
        Action<PruneProgress>? progress = null, CancellationToken ct = default) =>
        Gd(w0.alias, h, weights, mask, steps, lipschitz, progress, ct);

    /// <summary>As above, with W₀ handed over by <paramref name="takeW0"/> (disposed after its one use, the GEMM W₀H).</summary>
    internal static void Gd(Func<Tensor> takeW0, Tensor h, Tensor weights, Tensor mask, int steps, double? lipschitz,
        Action<PruneProgress>? progress, CancellationToken ct)
    {
        if (steps < 0) throw new ArgumentException($"steps must be ≥ 0, got {steps}.");
        // The uint8 mask multiplies with on-the-fly promotion (the same products as an fp32 copy of it, one W less).
        using var m = mask.to(ScalarType.Byte);
        weights.mul_(m);
        if (steps == 0 || weights.numel() == 0) return;
        var l = lipschitz ?? TorchSpectral.LargestEigenvalue(h);
        var eta = (float)(1 / l);
        Tensor g0;
        using (var w0 = takeW0()) g0 = w0.mm(h);
        using var _ = g0;
        using var u = (g0 * eta).add_(weights); // = weights + η·g0 bit for bit, without a second W-sized temporary
        for (var s = 0; s < steps; s++)
        {
            ct.ThrowIfCancellationRequested();
            u.addmm_(weights, h, beta: 1f, alpha: -eta);
            weights.copy_(u).mul_(m);
            if (s + 1 < steps) u.copy_(weights).add_(g0, alpha: eta);
            if (progress is not null && ((s + 1) % 100 == 0 || s + 1 == steps)) progress(new PruneProgress("refine", s + 1, steps));
        }
    }

    /// <summary>
    /// Conjugate gradient on the masked quadratic, all rows at once: each row r minimises ½(w − w₀)ᵀH(w − w₀) over
    /// its kept set with its own CG recurrence (own α, β), so one step is one GEMM P·H for the whole layer. A row stops
    /// when its residual ‖r‖ fell below <paramref name="tolerance"/>·‖r₀‖; the run stops when every row did or after
    /// <paramref name="maxSteps"/>. <paramref name="weights"/> is updated in place. Returns the GEMMs used (one for the
    /// first residual, one per step).
    /// </summary>
    public static int Cg(Tensor w0, Tensor h, Tensor weights, Tensor mask, int maxSteps = 60, double tolerance = 1e-3,
        Action<PruneProgress>? progress = null, CancellationToken ct = default) =>
        Cg(w0.alias, h, weights, mask, maxSteps, tolerance, progress, ct);

    /// <summary>As above, with W₀ handed over by <paramref name="takeW0"/> (disposed after its one use, the first residual).</summary>
    internal static int Cg(Func<Tensor> takeW0, Tensor h, Tensor weights, Tensor mask, int maxSteps, double tolerance,
        Action<PruneProgress>? progress, CancellationToken ct)
    {
        if (maxSteps < 0) throw new ArgumentException($"steps must be ≥ 0, got {maxSteps}.");
        using var scope = NewDisposeScope();
        var m = mask.to(ScalarType.Byte); // multiplies with on-the-fly promotion: no fp32 copy of the mask
        weights.mul_(m);
        if (maxSteps == 0 || weights.numel() == 0) return 0;
        Tensor r;
        using (var w0 = takeW0())
        using (var diff = w0 - weights)
            r = diff.mm(h).mul_(m); // −gradient on the kept set
        var p = r.clone();
        var rr = RowDot(r, r);
        var stop = rr * (float)(tolerance * tolerance);
        var active = rr > stop;
        var gemms = 1;
        for (var s = 0; s < maxSteps; s++)
        {
            ct.ThrowIfCancellationRequested();
            if (!active.any().item<bool>()) break;
            using var step = NewDisposeScope();
            var q = p.mm(h).mul_(m);
            gemms++;
            var pq = RowDot(p, q);
            var alpha = where(active & (pq > 0), rr / pq, zeros_like(rr));
            weights.add_(p * alpha.unsqueeze(1));
            r.sub_(q * alpha.unsqueeze(1));
            var rrNew = RowDot(r, r);
            var nowActive = active & (rrNew > stop);
            var beta = where(nowActive, rrNew / rr, zeros_like(rr));
            p.mul_(beta.unsqueeze(1)).add_(r);
            rr.copy_(rrNew);
            active.copy_(nowActive);
            if (progress is not null && ((s + 1) % 10 == 0)) progress(new PruneProgress("refine", s + 1, maxSteps));
        }
        return gemms;
    }

    /// <summary>Per-row dot products, accumulated in double and returned as fp32.</summary>
    private static Tensor RowDot(Tensor a, Tensor b) => (a.to(ScalarType.Float64) * b.to(ScalarType.Float64)).sum(1).to(ScalarType.Float32);

    /// <summary>
    /// Exact per-row optimum on the kept set S of each row: w_S = (H_SS)⁻¹ (H w₀)_S, w = 0 elsewhere. Rows with the
    /// same number of kept live inputs are solved together (batched Cholesky in double precision). Inputs with
    /// H_jj ≤ 0 (dead) are kept at 0. If H_SS is singular a tiny ridge is added (1e-10·mean diag, ×100 per retry); a
    /// row whose loss would then rise keeps its starting weights, so f never rises.
    /// </summary>
    public static void Exact(ReadOnlySpan<float> w0, ReadOnlySpan<float> h, Span<float> weights, ReadOnlySpan<byte> mask,
        int rows, int cols, CancellationToken ct = default)
    {
        CheckShapes(w0, h, weights, mask, rows, cols);
        using var t = SpanTensors.Create(w0, h, weights, mask, rows, cols);
        Exact(t.W0, t.H, t.W, t.Mask, ct);
        TorchLayer.Floats(t.W).CopyTo(weights);
    }

    /// <summary>The exact solve on tensors; <paramref name="weights"/> is updated in place.</summary>
    public static void Exact(Tensor w0, Tensor h, Tensor weights, Tensor mask, CancellationToken ct = default)
    {
        var rows = weights.shape[0];
        var cols = weights.shape[1];
        if (weights.numel() == 0) return;
        var device = weights.device;
        using var scope = NewDisposeScope();
        var hd = h.to(ScalarType.Float64);
        var diag = hd.diagonal();
        var meanDiag = Math.Max(diag.mean().item<double>(), 1e-30);
        var kept = (mask != 0) & (diag > 0).unsqueeze(0);
        var b = w0.to(ScalarType.Float64).mm(hd); // row r of W₀H = (H w₀_r)ᵀ since H is symmetric
        var result = zeros(rows, cols, ScalarType.Float64, device);
        var counts = kept.sum(1).cpu();
        var keptCpu = kept.cpu();
        var byCount = new SortedDictionary<long, List<long>>();
        for (long r = 0; r < rows; r++)
        {
            var k = counts[r].item<long>();
            if (!byCount.TryGetValue(k, out var list)) byCount[k] = list = [];
            list.Add(r);
        }
        foreach (var (k, list) in byCount)
        {
            if (k == 0) continue;
            // Chunks small enough that the gathered H_SS (r·k·k doubles) stays within ~128 MB.
            var chunk = (int)Math.Clamp((16L << 20) / Math.Max(1, k * k), 1, list.Count);
            for (var c0 = 0; c0 < list.Count; c0 += chunk)
            {
                ct.ThrowIfCancellationRequested();
                using var inner = NewDisposeScope();
                var rowIdx = tensor(list.GetRange(c0, Math.Min(chunk, list.Count - c0)).ToArray(), device: device);
                var keptRows = keptCpu.index_select(0, rowIdx.cpu());
                // Kept columns in increasing order: a stable descending sort of the 0/1 mask puts them first.
                var (_, order) = keptRows.to(ScalarType.Int32).sort(1, descending: true, stable: true);
                var s = order.narrow(1, 0, k).to(device);
                var n = s.shape[0];
                var hss = hd.index_select(0, s.reshape(-1)).reshape(n, k, cols).gather(2, s.unsqueeze(1).expand(n, k, k));
                var rhs = b.index_select(0, rowIdx).gather(1, s).unsqueeze(2);
                var x = SolveWithRidge(hss, rhs, meanDiag, w0.index_select(0, rowIdx), weights.index_select(0, rowIdx), hd, s);
                var rowsOut = zeros(n, cols, ScalarType.Float64, device).scatter_(1, s, x.squeeze(2));
                result.index_copy_(0, rowIdx, rowsOut);
            }
        }
        weights.copy_(result.to(ScalarType.Float32));
    }

    /// <summary>Batched Cholesky solve of H_SS x = b; batches that are not positive definite get a growing ridge, and
    /// a ridge-regularised row is only taken if it lowers that row's loss (else the row keeps its start).</summary>
    private static Tensor SolveWithRidge(Tensor hss, Tensor rhs, double meanDiag, Tensor w0Rows, Tensor startRows, Tensor hd, Tensor s)
    {
        var (l, info) = linalg.cholesky_ex(hss);
        var x = cholesky_solve(rhs, l);
        var failed = (info != 0).cpu();
        if (!failed.any().item<bool>()) return x;
        var k = hss.shape[1];
        var eye = torch.eye(k, dtype: ScalarType.Float64, device: hss.device);
        for (long i = 0; i < hss.shape[0]; i++)
        {
            if (!failed[i].item<bool>()) continue;
            var ridge = 1e-10 * meanDiag;
            Tensor? solved = null;
            for (var attempt = 0; attempt < 8 && solved is null; attempt++, ridge *= 100)
            {
                var (li, infoI) = linalg.cholesky_ex(hss[i] + eye * ridge);
                if (infoI.item<int>() == 0) solved = cholesky_solve(rhs[i], li);
            }
            if (solved is null)
                throw new BadInputException($"H restricted to a kept set of {k} inputs is not positive definite even with a ridge of {ridge / 100:G3}.");
            // Guard the regularised solve: keep the start if it does not lower this row's loss.
            var trial = zeros(1, hd.shape[0], ScalarType.Float64, hss.device).scatter_(1, s[i].unsqueeze(0), solved.reshape(1, -1));
            var start = startRows[i].unsqueeze(0).to(ScalarType.Float64);
            var w0r = w0Rows[i].unsqueeze(0).to(ScalarType.Float64);
            var startOnSet = start.gather(1, s[i].unsqueeze(0)).reshape(-1, 1);
            x[i] = RowLoss(trial, w0r, hd) < RowLoss(start, w0r, hd) ? solved : startOnSet;
        }
        return x;
    }

    private static double RowLoss(Tensor w, Tensor w0, Tensor hd)
    {
        using var d = w - w0;
        return 0.5 * (d.mm(hd) * d).sum().item<double>();
    }

    private static void CheckShapes(ReadOnlySpan<float> w0, ReadOnlySpan<float> h, Span<float> weights, ReadOnlySpan<byte> mask, int rows, int cols)
    {
        if (rows < 0 || cols < 0) throw new ArgumentException($"negative shape {rows}×{cols}.");
        var n = (long)rows * cols;
        if (w0.Length != n) throw new ArgumentException($"W₀ has {w0.Length} entries, expected {rows}×{cols}.");
        if (weights.Length != n) throw new ArgumentException($"weights have {weights.Length} entries, expected {rows}×{cols}.");
        if (mask.Length != n) throw new ArgumentException($"mask has {mask.Length} entries, expected {rows}×{cols}.");
        if (h.Length != (long)cols * cols) throw new ArgumentException($"H has {h.Length} entries, expected {cols}×{cols}.");
        TorchRuntime.Initialize();
    }

    /// <summary>CPU tensor copies of a span-based call's arrays.</summary>
    private sealed record SpanTensors(Tensor W0, Tensor H, Tensor W, Tensor Mask) : IDisposable
    {
        public static SpanTensors Create(ReadOnlySpan<float> w0, ReadOnlySpan<float> h, ReadOnlySpan<float> w, ReadOnlySpan<byte> mask, int rows, int cols) =>
            new(TorchLayer.FromSpan(w0, rows, cols, CPU), TorchLayer.FromSpan(h, cols, cols, CPU),
                TorchLayer.FromSpan(w, rows, cols, CPU), TorchLayer.FromMask(mask, rows, cols, CPU));

        public void Dispose()
        {
            W0.Dispose();
            H.Dispose();
            W.Dispose();
            Mask.Dispose();
        }
    }
}
