namespace PrunePipeline.Contracts;

/// <summary>Event: a layer's refined weights are stored (the mask is unchanged).</summary>
/// <param name="RunId">The run.</param>
/// <param name="Block">Decoder block index.</param>
/// <param name="Layer">HF tensor name.</param>
/// <param name="Loss">Layer reconstruction loss tr((W−W₀) H (W−W₀)ᵀ) after refinement (the loss before it is the
/// layer's <see cref="LayerPruned.Loss"/>).</param>
/// <param name="Steps">Gradient steps taken (0 for "exact").</param>
/// <param name="Seconds">Wall time of the work.</param>
/// <param name="WeightsKey">Artifact key of the refined weights.</param>
/// <param name="Worker">The finetuner process that did it.</param>
public sealed record LayerRefined(
    Guid RunId,
    int Block,
    string Layer,
    double Loss,
    int Steps,
    double Seconds,
    string WeightsKey,
    string? Worker = null);
