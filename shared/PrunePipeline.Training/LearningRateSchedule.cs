namespace PrunePipeline.Training;

/// <summary>
/// Linear warm-up over the first <c>ceil(warmup·steps)</c> steps from lr/warm-up-steps to lr, then linear decay to 0
/// at the end (algorithm.md §7: 10 % warm-up then linear decay).
/// </summary>
public static class LearningRateSchedule
{
    /// <summary>The multiplier of the base learning rate at step <paramref name="step"/> (0-based) of <paramref name="steps"/>.</summary>
    public static double Factor(int step, int steps, double warmupFraction = 0.1)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "steps must be ≥ 1");
        if (step < 0 || step >= steps) throw new ArgumentOutOfRangeException(nameof(step), step, $"step must be in 0..{steps - 1}");
        var warm = (int)Math.Ceiling(warmupFraction * steps);
        if (step < warm) return (step + 1) / (double)warm;
        var decay = steps - warm;
        return decay <= 0 ? 1 : (steps - step) / (double)decay;
    }
}
