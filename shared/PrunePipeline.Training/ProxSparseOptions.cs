namespace PrunePipeline.Training;

/// <summary>ProxSparse settings (algorithm.md §7), defaults as there.</summary>
/// <param name="Lambda1">Weight t of the 2:4 group prox applied after every optimizer step.</param>
/// <param name="Lambda2">Weight of the "stay near the original" term (0: off).</param>
/// <param name="Epsilon">ε of that term's denominator Ŵ + ε·s(Ŵ).</param>
/// <param name="Steps">Optimizer steps (one batch each).</param>
/// <param name="LearningRate">Peak AdamW learning rate (no weight decay).</param>
/// <param name="WarmupFraction">Linear warm-up share of the steps, then linear decay to 0.</param>
/// <param name="ClipNorm">Gradient-norm clip.</param>
public sealed record ProxSparseOptions(
    double Lambda1,
    double Lambda2 = 0,
    double Epsilon = 0.1,
    int Steps = 400,
    double LearningRate = 1e-4,
    double WarmupFraction = 0.1,
    double ClipNorm = 1.0)
{
    /// <summary>Rejects values that cannot work, naming the option.</summary>
    public void Validate()
    {
        if (!(Lambda1 >= 0) || double.IsInfinity(Lambda1)) throw new ArgumentException($"lambda1 must be a finite number ≥ 0, got {Lambda1}.");
        if (!(Lambda2 >= 0) || double.IsInfinity(Lambda2)) throw new ArgumentException($"lambda2 must be a finite number ≥ 0, got {Lambda2}.");
        if (!(Epsilon > 0)) throw new ArgumentException($"epsilon must be > 0, got {Epsilon}.");
        if (Steps < 1) throw new ArgumentException($"steps must be ≥ 1, got {Steps}.");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"lr must be > 0, got {LearningRate}.");
        if (!(WarmupFraction >= 0 && WarmupFraction < 1)) throw new ArgumentException($"warm-up fraction must be in [0, 1), got {WarmupFraction}.");
        if (!(ClipNorm > 0)) throw new ArgumentException($"clip norm must be > 0, got {ClipNorm}.");
    }
}
