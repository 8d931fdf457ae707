namespace PrunePipeline.Contracts;

/// <summary>Command to a pruner (competing consumers; one layer per message keeps the work bounded).</summary>
/// <param name="RunId">The run.</param>
/// <param name="Block">Decoder block index.</param>
/// <param name="Layer">HF tensor name of the weight, e.g. "model.layers.0.self_attn.q_proj.weight".</param>
/// <param name="ModelLocation">Where the dense weight is read from.</param>
/// <param name="HessianKey">Artifact key of the layer's input Hessian.</param>
/// <param name="Method">Method and parameters.</param>
public sealed record PruneLayer(
    Guid RunId,
    int Block,
    string Layer,
    string ModelLocation,
    string HessianKey,
    PruneMethodSettings Method);
