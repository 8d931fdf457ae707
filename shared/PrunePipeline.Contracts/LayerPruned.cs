namespace PrunePipeline.Contracts;

/// <summary>Event: a layer's mask and pruned weights are stored.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Block">Decoder block index.</param>
/// <param name="Layer">HF tensor name.</param>
/// <param name="Loss">Layer reconstruction loss tr((W−W₀) H (W−W₀)ᵀ) of the method's weights (before any refinement).</param>
/// <param name="Iterations">Solver iterations (prox); 0 for one-step methods.</param>
/// <param name="FinalLambda">Last λ of the prox schedule; 0 for other methods.</param>
/// <param name="Seconds">Wall time of the work.</param>
/// <param name="MaskKey">Artifact key of the bit-packed mask.</param>
/// <param name="WeightsKey">Artifact key of the pruned weights.</param>
/// <param name="Worker">The pruner process that did it ("pruner@host:pid"): shows how layers were shared.</param>
/// <param name="KeptFraction">Fraction of weights kept (0.5 for 2:4).</param>
/// <param name="HitMaxIterations">Prox: the schedule stopped at max-iters before the mask settled.</param>
/// <param name="DampingUsed">SparseGPT: δ after any retries.</param>
public sealed record LayerPruned(
    Guid RunId,
    int Block,
    string Layer,
    double Loss,
    int Iterations,
    double FinalLambda,
    double Seconds,
    string MaskKey,
    string WeightsKey,
    string? Worker = null,
    double KeptFraction = 0.5,
    bool HitMaxIterations = false,
    double? DampingUsed = null);
