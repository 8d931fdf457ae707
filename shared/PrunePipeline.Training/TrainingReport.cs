using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.Training;

/// <summary>The training part of report.json: options, text, curve and perplexities before/after.</summary>
/// <param name="Method">"proxsparse" or "finetune".</param>
/// <param name="Options">ProxSparseOptions or FinetuneOptions.</param>
/// <param name="ExcludedDocuments">Training documents dropped because their text is in the evaluation file.</param>
/// <param name="Sequences">Distinct training sequences (steps × batch beyond this cycle over them again).</param>
/// <param name="Evaluation">Perplexities: before = the input model (dense for ProxSparse, pruned for finetuning), after = the output.</param>
public sealed record TrainingReport(
    string Method,
    object Options,
    TrainingData Data,
    int Documents,
    int ExcludedDocuments,
    int Sequences,
    string Target,
    bool Checkpointing,
    IReadOnlyList<TrainingStep> Curve,
    IReadOnlyList<DatasetReport> Evaluation,
    double TrainSeconds,
    double SecondsPerStep,
    long PeakWorkingSetBytes);
