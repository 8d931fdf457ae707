namespace PrunePipeline.Contracts;

/// <summary>Command to the finetuner: global masked finetuning of the assembled model (the one stage that needs the
/// whole model, and a GPU). Resumes from the run's last recorded <see cref="FinetuneCheckpointed"/>.</summary>
/// <param name="RunId">The run.</param>
/// <param name="ModelLocation">The dense model (the teacher).</param>
/// <param name="ModelPrefix">Artifact prefix of the assembled pruned model (its masks.safetensors fixes the mask).</param>
/// <param name="Calibration">The run's calibration settings: default text, sequence length and seed of the training data.</param>
/// <param name="Settings">What to train.</param>
/// <param name="OutputPrefix">Artifact prefix of the finetuned HF directory.</param>
public sealed record FinetuneModel(
    Guid RunId,
    string ModelLocation,
    string ModelPrefix,
    CalibrationSettings Calibration,
    FinetuneSettings Settings,
    string OutputPrefix);
