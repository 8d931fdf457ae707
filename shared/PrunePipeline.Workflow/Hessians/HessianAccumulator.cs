using PrunePipeline.Model;
using PrunePipeline.Numerics;

namespace PrunePipeline.Workflow.Hessians;

/// <summary>
/// Accumulates, per linear-layer input name ("attn_in", "o_in", "mlp_in", "down_in"), the calibration Hessian
/// H = (1/N)·Σ x xᵀ (n×n) of algorithm.md §1. Each observed chunk X (rows×n, one forward call) is one fp32 block:
/// XᵀX is formed by <see cref="Blas.SyrkTransposed"/> in a shared fp32 scratch and its upper triangle added into an
/// fp64 sum, so long calibration runs do not lose precision to fp32 round-off. Only one scratch of max(n)² floats
/// exists (not one per input) to keep the resident memory of a 7B block small.
/// </summary>
public sealed class HessianAccumulator : ILinearInputObserver
{
    private readonly Dictionary<string, Sum> _sums = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private float[] _scratch = [];

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
        var nn = (long)cols * cols;
        if (_scratch.LongLength < nn) _scratch = new float[nn];
        var block = _scratch.AsSpan(0, (int)nn);
        Blas.SyrkTransposed(x, block, rows, cols);
        var acc = sum.Values;
        // Upper triangle only: the lower one is mirrored once at the end.
        for (var i = 0; i < cols; i++)
        {
            var off = i * cols;
            for (var j = i; j < cols; j++) acc[off + j] += block[off + j];
        }
        sum.Tokens += rows;
    }

    /// <summary>
    /// Ends accumulation: returns H = Sum/N per input (full symmetric fp32) and releases the fp64 sums one by one so
    /// the peak holds at most one fp64 sum next to the fp32 results.
    /// </summary>
    public BlockHessians Finish()
    {
        _scratch = [];
        var result = new Dictionary<string, LayerHessian>(StringComparer.Ordinal);
        foreach (var name in _order)
        {
            var sum = _sums[name];
            var n = sum.N;
            var h = new float[(long)n * n];
            var inv = 1.0 / sum.Tokens;
            for (var i = 0; i < n; i++)
                for (var j = i; j < n; j++)
                {
                    var v = (float)(sum.Values[i * n + j] * inv);
                    h[i * n + j] = v;
                    h[j * n + i] = v;
                }
            result.Add(name, new LayerHessian(name, n, sum.Tokens, h));
            _sums[name] = new Sum(0);
        }
        _sums.Clear();
        _order.Clear();
        return new BlockHessians(result);
    }

    private sealed class Sum(int n)
    {
        public int N { get; } = n;

        public double[] Values { get; } = new double[(long)n * n];

        public long Tokens { get; set; }
    }
}
