namespace PrunePipeline.Workflow.Stages;

/// <summary>
/// Output of <see cref="LayerPruneStage"/>: the method's 2:4 weights (exact zeros off the mask) before any masked
/// refinement, and what the method reported.
/// </summary>
/// <param name="Weights">rows×cols, row-major, zero where <paramref name="Mask"/> is 0.</param>
/// <param name="Mask">rows×cols, 1 = kept; exactly 2 ones in every group of 4 along a row.</param>
/// <param name="Loss">Local loss of <paramref name="Weights"/> against W₀ under H.</param>
/// <param name="Iterations">Prox iterations (0 for one-shot methods).</param>
/// <param name="FinalLambda">Final λ (prox only).</param>
/// <param name="DampingUsed">SparseGPT's δ after any retries (SparseGPT only).</param>
public sealed record PrunedLayer(
    string Tensor,
    int Rows,
    int Cols,
    float[] Weights,
    byte[] Mask,
    double Loss,
    int Iterations,
    double? FinalLambda,
    bool HitMaxIterations,
    double? DampingUsed,
    TimeSpan Time);
