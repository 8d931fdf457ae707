using PrunePipeline.Errors;

namespace PrunePipeline.Contracts;

/// <summary>
/// Global masked finetuning after assembly (issue 13): the finetuner trains the kept weights of the whole assembled
/// model against the dense model, mask fixed. The same settings as <c>prunectl prune --finetune</c>; the training
/// sequences are cut like the CLI's: <see cref="CalibrationSettings.SeqLen"/> tokens, packed with
/// <see cref="CalibrationSettings.Seed"/>.
/// </summary>
/// <param name="Loss">kl | lm | kl+lm (distil the dense model's next-token distribution, LM loss, or both).</param>
/// <param name="Steps">Optimizer steps (one batch each).</param>
/// <param name="LearningRate">Peak AdamW learning rate (10 % warm-up, then linear decay).</param>
/// <param name="DataPath">The finetuning text; null = the run's calibration text.</param>
/// <param name="Stories">Only documents A-B of the finetuning text (e.g. "500-999"), or all.</param>
/// <param name="ExcludeDocs">Drop finetuning documents whose text occurs in this (evaluation) file.</param>
/// <param name="BatchSize">Sequences per step.</param>
/// <param name="CheckpointEvery">The finetuner stores a resumable checkpoint every this many steps.</param>
public sealed record FinetuneSettings(
    string Loss = "kl",
    int Steps = 200,
    double LearningRate = 1e-3,
    string? DataPath = null,
    string? Stories = null,
    string? ExcludeDocs = null,
    int BatchSize = 1,
    int CheckpointEvery = 50)
{
    public static IReadOnlyList<string> Losses { get; } = ["kl", "lm", "kl+lm"];

    /// <summary>The finetuning text of a run whose calibration text is <paramref name="calibration"/>.</summary>
    public string DataOf(CalibrationSettings calibration) => DataPath ?? calibration.Path;

    /// <summary>Every file the finetuner reads besides the models (the run's data files, checked against the roots).</summary>
    public IReadOnlyList<string> Files(CalibrationSettings calibration) =>
        ExcludeDocs is null ? [DataOf(calibration)] : [DataOf(calibration), ExcludeDocs];

    /// <summary>Rejects values that cannot work, naming the option.</summary>
    public void Validate()
    {
        if (!Losses.Contains(Loss)) throw new InvalidSettingException("finetune-loss", $"'{Loss}' is unknown; use one of {string.Join(", ", Losses)}.");
        if (Steps < 1) throw new InvalidSettingException("finetune-steps", $"must be ≥ 1, got {Steps}.");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new InvalidSettingException("finetune-lr", $"must be > 0, got {LearningRate}.");
        if (BatchSize < 1) throw new InvalidSettingException("batch", $"must be ≥ 1, got {BatchSize}.");
        if (CheckpointEvery < 1) throw new InvalidSettingException("finetune-checkpoint-every", $"must be ≥ 1, got {CheckpointEvery}.");
    }
}
