namespace PrunePipeline.Contracts;

/// <summary>Event: a block's Hessians (and the activations the next block starts from) are stored.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Block">Decoder block index.</param>
/// <param name="CalibrationKey">The calibration key the artifacts are stored under.</param>
/// <param name="HessianKeys">Input name (e.g. "attn_in", "mlp_in", "o_in", "down_in") → Hessian artifact key.</param>
/// <param name="InputsKey">Sequential: artifact key of this block's inputs (the next CalibrateBlock runs them through
/// this block once it is pruned). Null in one-shot mode.</param>
/// <param name="OutputsKey">One-shot: artifact key of this block's dense outputs (the next block's inputs); null for
/// the last block and in sequential mode.</param>
/// <param name="Tokens">Calibration tokens N of H = (1/N) Σ x xᵀ.</param>
/// <param name="Seconds">Wall time of the work.</param>
/// <param name="Reused">True when the artifacts already existed (a replay or a redelivery): no work was done.</param>
/// <param name="Worker">Which process did the work ("calibrator@host:pid"), or "coordinator" for a replay.</param>
/// <param name="ReusedFromRun">Replay: the run whose Hessians these are.</param>
/// <param name="Note">Replay: what reusing means here (e.g. that sequential Hessians of blocks &gt; 0 were taken on the
/// source run's pruned prefix).</param>
public sealed record BlockCalibrated(
    Guid RunId,
    int Block,
    string CalibrationKey,
    IReadOnlyDictionary<string, string> HessianKeys,
    string? InputsKey,
    string? OutputsKey,
    long Tokens,
    double Seconds,
    bool Reused,
    string? Worker = null,
    Guid? ReusedFromRun = null,
    string? Note = null);
