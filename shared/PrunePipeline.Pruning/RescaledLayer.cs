using static TorchSharp.torch;

namespace PrunePipeline.Pruning;

/// <summary>
/// The diagonal rescale of algorithm.md §4 step 1: d_j = sqrt(H_jj) (dead inputs, H_jj ≤ 0: d_j = 1 and a zero
/// row/column in Ĥ), V₀ = W₀·diag(d), Ĥ = diag(1/d)·H·diag(1/d). Used by the prox iteration and by the refinement in
/// the rescaled space (step 6), so both see bit-identical V₀ and Ĥ.
/// </summary>
internal sealed class RescaledLayer : IDisposable
{
    private Tensor? _v0;

    private RescaledLayer(Tensor d, Tensor live, Tensor v0, Tensor hHat)
    {
        D = d;
        Live = live;
        _v0 = v0;
        HHat = hHat;
    }

    /// <summary>d (length n).</summary>
    public Tensor D { get; }

    /// <summary>1 for live inputs (H_jj &gt; 0), 0 for dead ones (length n, fp32).</summary>
    public Tensor Live { get; }

    public Tensor V0 => _v0 ?? throw new InvalidOperationException("V₀ was handed over by TakeV0.");

    /// <summary>Hands V₀ to the caller, who disposes it: the iterations need it only for their first GEMM (V₀Ĥ), and
    /// at a 7B MLP matrix it is 180 MB that would otherwise stay alive through every iteration.</summary>
    public Tensor TakeV0()
    {
        var v0 = V0;
        _v0 = null;
        return v0;
    }

    public Tensor HHat { get; }

    public static RescaledLayer Create(Tensor w0, Tensor h)
    {
        using var scope = NewDisposeScope();
        var diag = h.diagonal();
        var liveMask = diag > 0;
        var live = liveMask.to(ScalarType.Float32);
        var d = where(liveMask, diag.clamp_min(0f).sqrt(), ones_like(diag));
        var inv = live / d;
        var hHat = (h * inv.unsqueeze(1)).mul_(inv.unsqueeze(0)); // in place: one n×n temporary less (485 MB at 7B's down_proj)
        var v0 = w0 * d;
        return new RescaledLayer(d.MoveToOuterDisposeScope(), live.MoveToOuterDisposeScope(), v0.MoveToOuterDisposeScope(),
            hHat.MoveToOuterDisposeScope());
    }

    /// <summary>W = V·diag(1/d) on the mask, exact zeros elsewhere.</summary>
    public Tensor Unscale(Tensor v, Tensor mask)
    {
        using var scope = NewDisposeScope();
        // Exact +0 off the mask (as a where() would give), with one m×n temporary instead of three.
        return (v / D).masked_fill_(mask.eq(0), 0f).MoveToOuterDisposeScope();
    }

    /// <summary>V = W·diag(d).</summary>
    public Tensor Scale(Tensor w) => w * D;

    public void Dispose()
    {
        D.Dispose();
        Live.Dispose();
        _v0?.Dispose();
        HHat.Dispose();
    }
}
