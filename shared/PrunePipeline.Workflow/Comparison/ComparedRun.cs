using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.Workflow.Comparison;

/// <summary>One pruned output directory read back for comparison.</summary>
/// <param name="Directory">The output directory.</param>
/// <param name="Report">Its report.json.</param>
/// <param name="CalibrationName">Short name of the calibration text (file name without extensions).</param>
public sealed record ComparedRun(string Directory, PruneReport Report, string CalibrationName)
{
    /// <summary>"wanda+gd" (or "wanda+gd @c4_validation_2k" when runs used different calibration texts).</summary>
    public string Label(bool withCalibration) => withCalibration ? $"{Report.Label} @{CalibrationName}" : Report.Label;

    /// <summary>Reads OUTDIR/report.json, with layers and perplexities from OUTDIR's layers.parquet and
    /// perplexity.parquet when present; names the directory when something is missing or malformed.</summary>
    public static ComparedRun Load(string directory)
    {
        var path = Path.Combine(directory, "report.json");
        if (!File.Exists(path)) throw new FileNotFoundException($"{directory} has no report.json (is it a prunectl prune output directory?).", path);
        var report = WorkflowJson.Read<PruneReport>(path);
        if (report.Format != PruneReport.FormatName)
            throw new InvalidDataException($"{path} has format '{report.Format}', expected '{PruneReport.FormatName}'.");
        return new ComparedRun(directory, RunMetricsParquet.WithParquetMetrics(directory, report), ShortName(report.Calibration.Path));
    }

    internal static string ShortName(string path)
    {
        var name = System.IO.Path.GetFileName(path);
        foreach (var ext in new[] { ".gz", ".jsonl", ".json", ".txt", ".parquet" })
            if (name.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) name = name[..^ext.Length];
        return name;
    }
}
