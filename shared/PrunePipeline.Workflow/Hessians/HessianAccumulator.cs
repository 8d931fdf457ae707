using PrunePipeline.Model;
using PrunePipeline.Tensors;
using TorchSharp;

namespace PrunePipeline.Workflow.Hessians;

/// <summary>
/// Accumulates, per linear-layer input name ("attn_in", "o_in", "mlp_in", "down_in"), the calibration Hessian
/// H = (1/N)·Σ x xᵀ (n×n) of algorithm.md §1. Each observed chunk X (rows×n, one forward call) is one fp32 block:
/// its Gram matrix XᵀX is formed by a torch GEMM in fp32 and added into an fp64 sum, so long calibration runs do not lose
/// precision to fp32 round-off.
/// <para>Memory (this is what bounds a 7B block): the fp64 sum stores only the upper triangle, packed row by row
/// (n(n+1)/2 doubles — the size of the fp32 result), and the fp32 block is formed one column panel at a time
/// (rows 0…j1 of columns j0…j1, i.e. only the upper triangle's flops), so the scratch is n×<see cref="PanelWidth"/>
/// floats instead of n×n.</para>
/// </summary>
public sealed class HessianAccumulator : ILinearInputObserver
{
    /// <summary>Columns per panel of the fp32 Gram block.</summary>
    public const int PanelWidth = 512;

    private readonly Dictionary<string, Sum> _sums = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <summary>Names seen so far, in first-seen order.</summary>
    public IReadOnlyList<string> InputNames => _order;

    /// <summary>Adds the rows of <paramref name="x"/> (rows×cols, row-major) to the sum for <paramref name="inputName"/>.</summary>
    public void Observe(string inputName, ReadOnlySpan<float> x, int rows, int cols)
    {
        if (rows <= 0) return;
        if ((long)rows * cols != x.Length)
            throw new ArgumentException($"input '{inputName}' has {x.Length} values, expected {rows}×{cols}.", nameof(x));
        if (!_sums.TryGetValue(inputName, out var sum))
        {
            sum = new Sum(cols);
            _sums.Add(inputName, sum);
            _order.Add(inputName);
        }
        else if (sum.N != cols)
        {
            throw new ArgumentException($"input '{inputName}' had {sum.N} features before, now {cols}.", nameof(cols));
        }
        var n = cols;
        var width = Math.Min(PanelWidth, n);
        var acc = sum.Packed;
        TorchRuntime.Initialize(); // before the first touch of torch (see TorchRuntime)
        using var scope = torch.NewDisposeScope();
        var xt = TensorMemory.Copy(x, rows, n).t(); // n × rows
        for (var j0 = 0; j0 < n; j0 += width)
        {
            var w = Math.Min(width, n - j0);
            var j1 = j0 + w;
            // C (j1×w) = X[:, 0:j1]ᵀ · X[:, j0:j1]: every entry (i, j) of the panel with i < j1.
            using var panel = torch.mm(xt.narrow(0, 0, j1), xt.narrow(0, j0, w).t());
            var c = TensorMemory.Floats(panel);
            for (var i = 0; i < j1; i++)
            {
                var jStart = Math.Max(i, j0);
                var rowOff = PackedRowOffset(i, n) - i; // index of (i, j) = rowOff + j
                var src = c.Slice(i * w + (jStart - j0), j1 - jStart);
                var dst = acc.AsSpan((int)(rowOff + jStart), src.Length);
                for (var t = 0; t < src.Length; t++) dst[t] += src[t];
            }
        }
        sum.Tokens += rows;
    }

    /// <summary>
    /// Ends accumulation: returns H = Sum/N per input (full symmetric fp32) and drops each fp64 sum as soon as its
    /// result exists, so at most one sum and the results are alive at once.
    /// </summary>
    public BlockHessians Finish()
    {
        var result = new Dictionary<string, LayerHessian>(StringComparer.Ordinal);
        // Largest first: its fp64 sum is released before the smaller results are allocated.
        foreach (var name in _order.OrderByDescending(x => _sums[x].N).ToList())
        {
            var sum = _sums[name];
            _sums.Remove(name);
            var n = sum.N;
            var h = new float[(long)n * n];
            var inv = 1.0 / sum.Tokens;
            for (var i = 0; i < n; i++)
            {
                var off = PackedRowOffset(i, n) - i;
                for (var j = i; j < n; j++)
                {
                    var v = (float)(sum.Packed[off + j] * inv);
                    h[(long)i * n + j] = v;
                    h[(long)j * n + i] = v;
                }
            }
            result.Add(name, new LayerHessian(name, n, sum.Tokens, h));
            sum = null!;
            // A 7B down_in sum is 0.5 GB: give it back before the next result is allocated, so the peak is
            // (all fp32 results + the largest fp64 sum), not both complete sets.
            if ((long)n * n >= 1 << 24) GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
        _order.Clear();
        return new BlockHessians(result);
    }

    /// <summary>Index of (i, i) in the row-packed upper triangle of an n×n matrix.</summary>
    private static long PackedRowOffset(int i, int n) => (long)i * n - (long)i * (i - 1) / 2;

    private sealed class Sum(int n)
    {
        public int N { get; } = n;

        public double[] Packed { get; } = new double[(long)n * (n + 1) / 2];

        public long Tokens { get; set; }
    }
}
