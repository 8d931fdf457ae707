using TorchSharp;
using static TorchSharp.torch;

namespace PrunePipeline.Training.Tests;

/// <summary>
/// Central finite differences in fp64: for a scalar f of some leaf tensors, compares autograd's directional
/// derivative ∇f·v with (f(x + h·v) − f(x − h·v)) / 2h along several random directions v (all leaves at once).
/// </summary>
internal static class FiniteDifferences
{
    /// <summary>Largest relative mismatch over <paramref name="directions"/> random directions.</summary>
    public static double MaxRelativeError(Func<Tensor> f, IReadOnlyList<Tensor> leaves, int directions = 4, double h = 1e-5, int seed = 1)
    {
        foreach (var x in leaves)
        {
            if (x.dtype != ScalarType.Float64) throw new ArgumentException("finite differences need fp64 leaves");
            x.requires_grad_(true);
            x.grad?.zero_();
        }
        using (var value = f()) value.backward();
        var grads = leaves.Select(x => x.grad!.detach().clone()).ToArray();
        var gen = torch.manual_seed(seed);
        double worst = 0;
        for (var d = 0; d < directions; d++)
        {
            // A unit direction over all leaves together: the truncation error of the central difference grows with |v|³.
            var v = leaves.Select(x => torch.randn(x.shape, ScalarType.Float64)).ToArray();
            var norm = Math.Sqrt(v.Sum(t => t.pow(2).sum().item<double>()));
            for (var i = 0; i < v.Length; i++) v[i] = v[i] / norm;
            var analytic = 0.0;
            for (var i = 0; i < leaves.Count; i++) analytic += (grads[i] * v[i]).sum().item<double>();
            double plus, minus;
            using (torch.no_grad())
            {
                for (var i = 0; i < leaves.Count; i++) leaves[i].add_(v[i] * h);
                plus = f().item<double>();
                for (var i = 0; i < leaves.Count; i++) leaves[i].sub_(v[i] * (2 * h));
                minus = f().item<double>();
                for (var i = 0; i < leaves.Count; i++) leaves[i].add_(v[i] * h);
            }
            var numeric = (plus - minus) / (2 * h);
            worst = Math.Max(worst, Math.Abs(numeric - analytic) / Math.Max(1e-6, Math.Abs(analytic)));
        }
        return worst;
    }

    /// <summary>A fixed random projection so a tensor-valued output becomes a scalar whose gradient reaches every entry.</summary>
    public static Tensor Project(Tensor output, int seed)
    {
        torch.manual_seed(seed);
        using var r = torch.randn(output.shape, ScalarType.Float64);
        return (output * r).sum();
    }
}
