namespace PrunePipeline.Contracts;

/// <summary>Command to the calibrator: run calibration data through decoder block <paramref name="Block"/> and store
/// the Hessian of every linear layer's input (and what the next block's calibration starts from).</summary>
/// <param name="RunId">The run.</param>
/// <param name="Block">Decoder block index.</param>
/// <param name="ModelLocation">The dense model.</param>
/// <param name="Calibration">Sampling settings.</param>
/// <param name="CalibrationKey">Content hash of everything that determines the Hessians (artifact key component).</param>
/// <param name="Mode">Sequential or one-shot: one-shot also stores the dense block's outputs.</param>
/// <param name="InputsKey">One-shot, block &gt; 0: artifact key of this block's inputs (block k−1's dense outputs).
/// Null for block 0 (the tokens are embedded) and in sequential mode.</param>
/// <param name="PreviousInputsKey">Sequential, block &gt; 0: artifact key of block k−1's INPUTS; the calibrator runs
/// them through the pruned block k−1 (<paramref name="PreviousWeightKeys"/>) to get this block's inputs.</param>
/// <param name="PreviousWeightKeys">Sequential, block &gt; 0: tensor name → final (pruned, refined) weights of block k−1;
/// empty otherwise.</param>
public sealed record CalibrateBlock(
    Guid RunId,
    int Block,
    string ModelLocation,
    CalibrationSettings Calibration,
    string CalibrationKey,
    PruneMode Mode,
    string? InputsKey,
    string? PreviousInputsKey,
    IReadOnlyDictionary<string, string> PreviousWeightKeys);
