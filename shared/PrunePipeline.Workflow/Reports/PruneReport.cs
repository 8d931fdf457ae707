namespace PrunePipeline.Workflow.Reports;

/// <summary>report.json of a pruned model directory.</summary>
public sealed record PruneReport(
    string Format,
    string SourceModel,
    string Method,
    string Refine,
    string Pattern,
    PruneMode Mode,
    PruneMethodSettings Parameters,
    CalibrationSettings Calibration,
    long CalibrationTokens,
    int Seed,
    IReadOnlyList<LayerReport> Layers,
    IReadOnlyList<DatasetReport> Evaluation,
    double CalibrationSeconds,
    double PruneSeconds,
    double EvaluationSeconds,
    double TotalSeconds,
    IReadOnlyDictionary<string, string> Versions)
{
    public const string FormatName = "prunepipeline.report/1";

    /// <summary>"wanda+gd" style label used in tables and charts.</summary>
    public string Label => Refine == "none" ? Method : $"{Method}+{Refine}";
}
