namespace PrunePipeline.Training;

/// <summary>Global masked finetuning settings.</summary>
/// <param name="Loss">"kl" (distil the dense model's next-token distribution), "lm" (next-token cross-entropy) or "kl+lm" (their sum).</param>
/// <param name="Steps">Optimizer steps (one batch each).</param>
/// <param name="LearningRate">Peak AdamW learning rate (no weight decay; 10 % linear warm-up, then linear decay).</param>
/// <param name="Temperature">Distillation temperature (both distributions at softmax(logits / τ); the KL is scaled by τ²).</param>
public sealed record FinetuneOptions(string Loss = "kl", int Steps = 200, double LearningRate = 1e-3, double Temperature = 1.0,
    double WarmupFraction = 0.1, double ClipNorm = 1.0)
{
    public static IReadOnlyList<string> Losses { get; } = ["kl", "lm", "kl+lm"];

    public bool UsesTeacher => Loss is "kl" or "kl+lm";

    /// <summary>Rejects values that cannot work, naming the option.</summary>
    public void Validate()
    {
        if (!Losses.Contains(Loss)) throw new ArgumentException($"finetune loss '{Loss}' is unknown; use one of {string.Join(", ", Losses)}.");
        if (Steps < 1) throw new ArgumentException($"finetune steps must be ≥ 1, got {Steps}.");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"finetune lr must be > 0, got {LearningRate}.");
        if (!(Temperature > 0)) throw new ArgumentException($"temperature must be > 0, got {Temperature}.");
        if (!(WarmupFraction >= 0 && WarmupFraction < 1)) throw new ArgumentException($"warm-up fraction must be in [0, 1), got {WarmupFraction}.");
        if (!(ClipNorm > 0)) throw new ArgumentException($"clip norm must be > 0, got {ClipNorm}.");
    }
}
