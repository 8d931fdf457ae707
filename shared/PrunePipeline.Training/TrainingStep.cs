namespace PrunePipeline.Training;

/// <summary>One optimizer step of a training curve (report.json).</summary>
/// <param name="Loss">The objective minimised (LM or distillation loss, before the λ2 term).</param>
/// <param name="LambdaTerm">ProxSparse: λ2 · Σ‖(W ⊘ (Ŵ + ε·s(Ŵ))) ⊙ (W − Ŵ)‖² (0 when λ2 = 0 or finetuning).</param>
/// <param name="TwoSparseFraction">Fraction of groups of four of the pruned matrices with at most two non-zeros, after the step.</param>
/// <param name="GradNorm">Gradient norm before clipping.</param>
public sealed record TrainingStep(int Step, double Loss, double LambdaTerm, double TwoSparseFraction, double LearningRate, double GradNorm, double Seconds);
