using System.Text.Json.Serialization;

namespace PrunePipeline.Training;

/// <summary>
/// One row of training.parquet: one optimizer step of a ProxSparse or finetuning run, so curves of many runs can be
/// stacked in pandas/Polars/DuckDB next to layers.parquet and perplexity.parquet. Nullable throughout, like
/// <see cref="PrunePipeline.Workflow.Reports.LayerMetricsRow"/> (other tools rewrite every column as optional).
/// </summary>
public sealed class TrainingCurveRow
{
    /// <summary>The output directory's name (as in perplexity.parquet).</summary>
    [JsonPropertyName("run")] public string? Run { get; set; }
    /// <summary>"proxsparse" or "finetune".</summary>
    [JsonPropertyName("method")] public string? Method { get; set; }
    [JsonPropertyName("step")] public int? Step { get; set; }
    /// <summary>The objective minimised before the λ2 term (LM loss, or the distillation loss of finetuning).</summary>
    [JsonPropertyName("loss")] public double? Loss { get; set; }
    /// <summary>λ2 · Σ‖(W ⊘ (Ŵ + ε·s(Ŵ))) ⊙ (W − Ŵ)‖² (0 when λ2 = 0 and in finetuning).</summary>
    [JsonPropertyName("lambda_term")] public double? LambdaTerm { get; set; }
    /// <summary>Fraction of groups of four with at most two non-zeros after the step (1 throughout finetuning).</summary>
    [JsonPropertyName("two_sparse_fraction")] public double? TwoSparseFraction { get; set; }
    [JsonPropertyName("lr")] public double? LearningRate { get; set; }
    /// <summary>Gradient norm before clipping.</summary>
    [JsonPropertyName("grad_norm")] public double? GradNorm { get; set; }
    [JsonPropertyName("seconds")] public double? Seconds { get; set; }
}
