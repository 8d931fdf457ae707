namespace PrunePipeline.Workflow.Reports;

/// <summary>What happened to one linear layer (one row of report.json's "layers").</summary>
/// <param name="Block">Decoder block index.</param>
/// <param name="Linear">Short name inside the block, e.g. "self_attn.q_proj".</param>
/// <param name="Tensor">HF tensor name.</param>
/// <param name="LossBeforeRefine">Local loss ½·Σ_rows (w−w₀)ᵀH(w−w₀) of the method's weights.</param>
/// <param name="LossAfterRefine">Same after masked refinement (equal to the former when refinement is off).</param>
/// <param name="Iterations">Iterations of the method (prox: proximal-gradient steps; others 0).</param>
/// <param name="FinalLambda">Final λ of the prox schedule (null for other methods).</param>
/// <param name="Worker">The process that pruned the layer (pipeline runs: "pruner@host:pid"; null for prunectl prune).</param>
public sealed record LayerReport(
    int Block,
    string Linear,
    string Tensor,
    int Rows,
    int Cols,
    double LossBeforeRefine,
    double LossAfterRefine,
    int Iterations,
    double? FinalLambda,
    bool HitMaxIterations,
    double? DampingUsed,
    double MethodSeconds,
    double RefineSeconds,
    double KeptFraction,
    string? Worker = null);
