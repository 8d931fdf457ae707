namespace PrunePipeline.Workflow.Stages;

/// <summary>Output of <see cref="LayerRefineStage"/>: weights on the same mask with lower (or equal) local loss.</summary>
/// <param name="Weights">rows×cols, zero off the mask.</param>
/// <param name="Loss">Local loss after refinement.</param>
public sealed record RefinedLayer(string Tensor, float[] Weights, double Loss, TimeSpan Time);
