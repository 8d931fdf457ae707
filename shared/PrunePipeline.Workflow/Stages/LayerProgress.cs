namespace PrunePipeline.Workflow.Stages;

/// <summary>Progress inside one layer: an iteration of the method (prox) or of refinement.</summary>
public sealed record LayerProgress(string Phase, int Iteration, int MaxIterations, double? Lambda);
