using System.Text.Json.Serialization;

namespace PrunePipeline.Workflow.Reports;

/// <summary>
/// One row of layers.parquet: one pruned linear layer of one run, flat, for pandas/Polars/DuckDB. Every property is
/// nullable because other tools (DuckDB, pandas) rewrite every column as optional; a null where a value is required is
/// refused when read back.
/// </summary>
public sealed class LayerMetricsRow
{
    /// <summary>The run: the pipeline run id, or the output directory's name for prunectl prune.</summary>
    [JsonPropertyName("run")] public string? Run { get; set; }
    [JsonPropertyName("block")] public int? Block { get; set; }
    /// <summary>Short name inside the block, e.g. "self_attn.q_proj".</summary>
    [JsonPropertyName("layer")] public string? Layer { get; set; }
    [JsonPropertyName("tensor")] public string? Tensor { get; set; }
    [JsonPropertyName("rows")] public int? Rows { get; set; }
    [JsonPropertyName("cols")] public int? Cols { get; set; }
    /// <summary>"wanda+gd" style: method and refinement.</summary>
    [JsonPropertyName("method")] public string? Method { get; set; }
    [JsonPropertyName("lambda0")] public double? Lambda0 { get; set; }
    [JsonPropertyName("beta")] public double? Beta { get; set; }
    [JsonPropertyName("iterations")] public int? Iterations { get; set; }
    [JsonPropertyName("final_lambda")] public double? FinalLambda { get; set; }
    [JsonPropertyName("hit_max_iterations")] public bool? HitMaxIterations { get; set; }
    [JsonPropertyName("damping_used")] public double? DampingUsed { get; set; }
    [JsonPropertyName("loss_before")] public double? LossBefore { get; set; }
    [JsonPropertyName("loss_after")] public double? LossAfter { get; set; }
    [JsonPropertyName("kept_fraction")] public double? KeptFraction { get; set; }
    /// <summary>Method plus refinement wall time.</summary>
    [JsonPropertyName("seconds")] public double? Seconds { get; set; }
    [JsonPropertyName("method_seconds")] public double? MethodSeconds { get; set; }
    [JsonPropertyName("refine_seconds")] public double? RefineSeconds { get; set; }
    [JsonPropertyName("worker")] public string? Worker { get; set; }
    [JsonPropertyName("device")] public string? Device { get; set; }
}
