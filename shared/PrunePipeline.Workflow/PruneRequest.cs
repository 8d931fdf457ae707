using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.Workflow;

/// <summary>Everything <see cref="PruneRun.Execute"/> needs: what the prune verb (and the pipeline's PruneRequested) carries.</summary>
/// <param name="ModelDir">Dense HF model directory.</param>
/// <param name="OutDir">Output directory (must not exist or be empty unless <paramref name="Force"/>).</param>
/// <param name="EvalSeqLen">Evaluation window length; null = min(2048, model max).</param>
/// <param name="EvaluateDense">Also measure the dense model's perplexity ("before" in report.json).</param>
public sealed record PruneRequest(
    string ModelDir,
    string OutDir,
    PruneMethodSettings Parameters,
    CalibrationSettings Calibration,
    PruneMode Mode = PruneMode.Sequential,
    IReadOnlyList<EvalDatasetSpec>? Eval = null,
    int? EvalSeqLen = null,
    bool Force = false,
    bool EvaluateDense = true);
