namespace PrunePipeline.Contracts;

/// <summary>Event: the finetuned model directory is stored under <paramref name="ModelPrefix"/> (same masks as the
/// assembled model; its report.json holds the whole training curve, the "finetune" section of the run's report).</summary>
/// <param name="RunId">The run.</param>
/// <param name="ModelPrefix">Artifact prefix of the finetuned HF directory.</param>
/// <param name="Steps">Optimizer steps of the whole training.</param>
/// <param name="ResumedFromStep">Steps taken from a checkpoint of an earlier execution (0 = trained from the start).</param>
/// <param name="FirstLoss">Loss of step 1.</param>
/// <param name="LastLoss">Loss of the last step.</param>
/// <param name="Seconds">Wall time of this execution.</param>
/// <param name="Worker">The finetuner process that did it ("finetuner@host:pid", with its device).</param>
public sealed record ModelFinetuned(
    Guid RunId,
    string ModelPrefix,
    int Steps,
    int ResumedFromStep,
    double FirstLoss,
    double LastLoss,
    double Seconds,
    string? Worker = null);
