namespace PrunePipeline.Training;

/// <summary>
/// Everything a finetuning run needs to continue after <see cref="Step"/> completed steps exactly as if it had not
/// stopped: the trainable weights, the AdamW state (moments and step count) and the curve so far. The data position
/// is the step itself (the batches are a pure function of text, seed and step) and no step draws random numbers.
/// </summary>
/// <param name="Step">Completed optimizer steps.</param>
/// <param name="Weights">One fp32 array per <see cref="TrainableLlama.Parameters"/> entry (row-major).</param>
/// <param name="Optimizer">TorchSharp's serialised AdamW state dictionary.</param>
/// <param name="Curve">The steps 0 … Step−1.</param>
public sealed record FinetuneState(int Step, IReadOnlyList<float[]> Weights, byte[] Optimizer, IReadOnlyList<TrainingStep> Curve);
