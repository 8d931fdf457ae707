namespace PrunePipeline.Contracts;

/// <summary>Command to the finetuner: masked refinement (algorithm.md §5) of one pruned layer.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Block">Decoder block index.</param>
/// <param name="Layer">HF tensor name.</param>
/// <param name="ModelLocation">Where the dense weight W₀ is read from.</param>
/// <param name="HessianKey">Artifact key of the layer's input Hessian.</param>
/// <param name="MaskKey">Artifact key of the mask (kept fixed).</param>
/// <param name="WeightsKey">Artifact key of the pruned weights to refine.</param>
/// <param name="Method">The run's method and parameters: the refinement kind and steps, and the method (prox refines in
/// its rescaled space).</param>
public sealed record RefineLayer(
    Guid RunId,
    int Block,
    string Layer,
    string ModelLocation,
    string HessianKey,
    string MaskKey,
    string WeightsKey,
    PruneMethodSettings Method);
