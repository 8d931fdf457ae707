using System.Text.Json.Serialization;

namespace PrunePipeline.Contracts;

/// <summary>Which model a perplexity belongs to (report.json's "before" and "after"); serialised as "dense" / "pruned".</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EvaluatedModel>))]
public enum EvaluatedModel
{
    /// <summary>The assembled pruned model.</summary>
    [JsonStringEnumMemberName("pruned")]
    Pruned,

    /// <summary>The source (dense) model, evaluated after assembly next to the pruned one (see RunPlanner for why).</summary>
    [JsonStringEnumMemberName("dense")]
    Dense,
}
