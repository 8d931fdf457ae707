namespace PrunePipeline.Contracts;

/// <summary>Command: write the pruned HF model directory from the dense model and the per-layer results.</summary>
/// <param name="RunId">The run.</param>
/// <param name="ModelLocation">The dense model.</param>
/// <param name="WeightKeys">Layer tensor name → artifact key of its final (pruned, refined) weights.</param>
/// <param name="MaskKeys">Layer tensor name → artifact key of its mask.</param>
/// <param name="OutputPrefix">Artifact prefix of the output directory, e.g. "models/{run}".</param>
/// <param name="Mode">Recorded in sparsity.json.</param>
/// <param name="Method">Recorded in sparsity.json.</param>
/// <param name="Calibration">Recorded in sparsity.json.</param>
public sealed record AssembleModel(
    Guid RunId,
    string ModelLocation,
    IReadOnlyDictionary<string, string> WeightKeys,
    IReadOnlyDictionary<string, string> MaskKeys,
    string OutputPrefix,
    PruneMode Mode = PruneMode.Sequential,
    PruneMethodSettings? Method = null,
    CalibrationSettings? Calibration = null);
