using static TorchSharp.torch;

namespace PrunePipeline.Cli.Verbs;

/// <summary>Random correlated layers for the benchmarks, deterministic per seed: H = XᵀX/N from N = 2n samples whose
/// inputs have scales 1…7 and a shared component (so H has the spread diagonal and off-diagonal mass of real
/// activations), and W uniform in ±0.05.</summary>
internal static class RandomLayers
{
    public static Tensor Hessian(int n, Device device)
    {
        using var scope = NewDisposeScope();
        using var gen = new TorchSharp.torch.Generator((ulong)n);
        var samples = 2 * n;
        var scale = arange(n).remainder(7).to(ScalarType.Float32) + 1f;
        var shared = randn(samples, 1, generator: gen);
        // In place: at n = 11008 (a 7B down_proj) every temporary of X is another 0.97 GB.
        var x = rand(samples, n, generator: gen).mul_(2f).sub_(1f).add_(shared.mul_(0.5f)).mul_(scale);
        return x.mT.mm(x).div_(samples).to(device).MoveToOuterDisposeScope();
    }

    public static Tensor Weights(int m, int n, int seed, Device device)
    {
        using var gen = new TorchSharp.torch.Generator((ulong)seed);
        using var w = (rand(m, n, generator: gen) * 2f - 1f) * 0.05f;
        return w.to(device);
    }

    /// <summary>Every benchmark shape: for each n its Hessian, and for each ratio m = round4(ratio·n) rows of weights.</summary>
    public static void ForEachShape(int[] sizes, double[] ratios, Device device, CancellationToken ct, Action<int, int, Tensor, Tensor> run)
    {
        foreach (var n in sizes)
        {
            using var h = Hessian(n, device);
            foreach (var ratio in ratios)
            {
                ct.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var m = (int)Math.Round(ratio * n / 4) * 4;
                run(n, m, Weights(m, n, n + m, device), h);
            }
        }
    }
}
