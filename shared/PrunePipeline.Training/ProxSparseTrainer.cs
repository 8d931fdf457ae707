using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunePipeline.Training;

/// <summary>
/// ProxSparse (algorithm.md §7): minimise LM loss + λ2·Σ‖(W ⊘ (Ŵ + ε·s(Ŵ))) ⊙ (W − Ŵ)‖² over every block linear with
/// AdamW (no weight decay, warm-up + linear decay, norm clip), and after every step apply the exact 2:4 group prox
/// with t = λ1 to every q/k/v/o/gate/up/down matrix. The result is the learned weights; the mask is the top-2 |W| of
/// each group of the learned weights (<see cref="GroupProx.TopTwoMask"/>), and the pruned model is the original
/// weights times that mask (done by <see cref="TrainingRun"/>).
/// </summary>
public static class ProxSparseTrainer
{
    /// <summary>Trains <paramref name="model"/> in place on <paramref name="batches"/> (each [B, T] token ids; cycled if fewer than steps).</summary>
    public static IReadOnlyList<TrainingStep> Train(TrainableLlama model, IReadOnlyList<long[,]> batches, ProxSparseOptions options,
        Action<TrainingStep>? progress = null, CancellationToken ct = default)
    {
        options.Validate();
        if (batches.Count == 0) throw new ArgumentException("no training batches.", nameof(batches));
        var ps = model.Parameters;
        // Frozen originals Ŵ and the λ2 term's denominators Ŵ + ε·s(Ŵ), s(0) = +1.
        var originals = ps.Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray();
        var denominators = originals.Select(o => torch.where(o.ge(0), o + options.Epsilon, o - options.Epsilon).DetachFromDisposeScope()).ToArray();
        var groups = ps.Sum(p => p.numel() / 4);
        var curve = new List<TrainingStep>(options.Steps);
        using var opt = new Optimizers(ps, options.LearningRate, options.Steps, options.WarmupFraction, options.ClipNorm);
        try
        {
            for (var step = 0; step < options.Steps; step++)
            {
                ct.ThrowIfCancellationRequested();
                var clock = Stopwatch.StartNew();
                using var scope = torch.NewDisposeScope();
                opt.ZeroGrad();
                using var ids = torch.tensor(batches[step % batches.Count]);
                var lm = model.Backward(ids, logits => TrainableLlama.LmLoss(logits, ids));
                double lambdaTerm = 0;
                if (options.Lambda2 > 0)
                {
                    var term = LambdaTerm(ps, originals, denominators) * options.Lambda2;
                    term.backward();
                    lambdaTerm = term.to_type(ScalarType.Float64).item<double>();
                }
                var (lr, norm) = opt.Step(step);
                long dense = 0;
                foreach (var p in ps) dense += GroupProx.Apply(p, options.Lambda1);
                var record = new TrainingStep(step, lm, lambdaTerm, 1 - dense / (double)groups, lr, norm, clock.Elapsed.TotalSeconds);
                if (!double.IsFinite(lm)) throw new InvalidOperationException($"ProxSparse step {step}: the loss is {lm} (lower --lr or --lambda1).");
                curve.Add(record);
                progress?.Invoke(record);
            }
        }
        finally
        {
            foreach (var t in originals) t.Dispose();
            foreach (var t in denominators) t.Dispose();
        }
        return curve;
    }

    /// <summary>Σ over matrices of ‖(W ⊘ D) ⊙ (W − Ŵ)‖² (D = Ŵ + ε·s(Ŵ)): the λ2 term without its weight.</summary>
    internal static Tensor LambdaTerm(IReadOnlyList<Tensor> weights, IReadOnlyList<Tensor> originals, IReadOnlyList<Tensor> denominators)
    {
        using var scope = torch.NewDisposeScope();
        var sum = torch.zeros([], weights[0].dtype, weights[0].device);
        for (var i = 0; i < weights.Count; i++)
            sum = sum + (weights[i] / denominators[i] * (weights[i] - originals[i])).pow(2).sum();
        return sum.MoveToOuterDisposeScope();
    }
}
