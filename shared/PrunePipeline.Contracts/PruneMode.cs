using System.Text.Json.Serialization;

namespace PrunePipeline.Contracts;

/// <summary>algorithm.md §8: where the Hessians of block k come from. Serialised as "sequential" / "one-shot" in
/// messages, the event store and the JSON files.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PruneMode>))]
public enum PruneMode
{
    /// <summary>Inputs of block k are the outputs of the already pruned (and refined) blocks &lt; k.</summary>
    [JsonStringEnumMemberName("sequential")]
    Sequential,

    /// <summary>One calibration pass on the dense model: every Hessian comes from it; layers are independent.</summary>
    [JsonStringEnumMemberName("one-shot")]
    OneShot,
}
