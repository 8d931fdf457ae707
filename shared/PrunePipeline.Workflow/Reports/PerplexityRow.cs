using System.Text.Json.Serialization;

namespace PrunePipeline.Workflow.Reports;

/// <summary>One row of perplexity.parquet: one evaluation data set of one run, dense ("before") and pruned. Nullable
/// throughout for the reason given on <see cref="LayerMetricsRow"/>.</summary>
public sealed class PerplexityRow
{
    [JsonPropertyName("run")] public string? Run { get; set; }
    [JsonPropertyName("method")] public string? Method { get; set; }
    [JsonPropertyName("dataset")] public string? Dataset { get; set; }
    [JsonPropertyName("path")] public string? Path { get; set; }
    [JsonPropertyName("seqlen")] public int? SeqLen { get; set; }
    [JsonPropertyName("sequences")] public int? Sequences { get; set; }
    [JsonPropertyName("predicted_tokens")] public long? PredictedTokens { get; set; }
    [JsonPropertyName("ppl_before")] public double? PerplexityBefore { get; set; }
    [JsonPropertyName("ppl_after")] public double? PerplexityAfter { get; set; }
    [JsonPropertyName("convention")] public string? Convention { get; set; }
}
