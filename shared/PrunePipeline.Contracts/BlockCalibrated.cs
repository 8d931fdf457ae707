namespace PrunePipeline.Contracts;

/// <summary>Event: a block's Hessians (and outputs) are stored.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Block">Decoder block index.</param>
/// <param name="CalibrationKey">The calibration key the artifacts are stored under.</param>
/// <param name="HessianKeys">Input name (e.g. "attn_in", "mlp_in", "o_in", "down_in") → Hessian artifact key.</param>
/// <param name="OutputKey">Artifact key of the block's output activations (the next block's inputs), if stored.</param>
/// <param name="Tokens">Calibration tokens N of H = (1/N) Σ x xᵀ.</param>
/// <param name="Seconds">Wall time of the work.</param>
/// <param name="Reused">True when the artifacts already existed (a replay or a redelivery): no work was done.</param>
public sealed record BlockCalibrated(
    Guid RunId,
    int Block,
    string CalibrationKey,
    IReadOnlyDictionary<string, string> HessianKeys,
    string? OutputKey,
    long Tokens,
    double Seconds,
    bool Reused);
