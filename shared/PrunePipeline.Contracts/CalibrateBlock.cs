namespace PrunePipeline.Contracts;

/// <summary>Command to the calibrator: run calibration data through decoder block <paramref name="Block"/> and store
/// the Hessian of every linear layer's input, plus the block's outputs (the next block's inputs).</summary>
/// <param name="RunId">The run.</param>
/// <param name="Block">Decoder block index.</param>
/// <param name="ModelLocation">The dense model.</param>
/// <param name="Calibration">Sampling settings.</param>
/// <param name="CalibrationKey">Content hash of everything that determines the Hessians (artifact key component).</param>
/// <param name="InputKey">Artifact key of this block's input activations; null for block 0 (embed the tokens).</param>
/// <param name="PrunedWeightKeys">Sequential mode, block &gt; 0: tensor name → final (pruned, refined) weights of block
/// k−1. When given, <paramref name="InputKey"/> holds block k−1's INPUTS and the calibrator first runs them through the
/// pruned block k−1; when empty, <paramref name="InputKey"/> already holds block k's inputs.</param>
/// <param name="Mode">"sequential" or "one-shot" (<see cref="PruneModes"/>): one-shot also stores the dense block's outputs.</param>
public sealed record CalibrateBlock(
    Guid RunId,
    int Block,
    string ModelLocation,
    CalibrationSettings Calibration,
    string CalibrationKey,
    string? InputKey,
    IReadOnlyDictionary<string, string> PrunedWeightKeys,
    string Mode = PruneModes.Sequential);
