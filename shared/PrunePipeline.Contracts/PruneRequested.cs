namespace PrunePipeline.Contracts;

/// <summary>The public entry point: prune one model. Published by <c>prunectl submit</c> (or any AMQP client).</summary>
/// <param name="RunId">The new run's id (= its event stream id).</param>
/// <param name="ModelLocation">The HF-style model directory (a path, or an artifact prefix such as <c>models/base/…</c>).</param>
/// <param name="Calibration">Calibration sampling.</param>
/// <param name="Mode">"sequential" or "one-shot" (<see cref="PruneModes"/>).</param>
/// <param name="Method">Method and parameters.</param>
/// <param name="Evaluation">Perplexities to report at the end.</param>
/// <param name="IdempotencyKey">Optional client key: the same key twice starts one run, not two.</param>
/// <param name="Finetune">Optional global masked finetuning of the assembled model (issue 13); null = none.</param>
public sealed record PruneRequested(
    Guid RunId,
    string ModelLocation,
    CalibrationSettings Calibration,
    PruneMode Mode,
    PruneMethodSettings Method,
    EvaluationSettings Evaluation,
    string? IdempotencyKey = null,
    FinetuneSettings? Finetune = null);
