using Parquet.Serialization;
using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.Training;

/// <summary>
/// The Parquet metrics of a training output directory: training.parquet (the curve, one row per optimizer step) and
/// perplexity.parquet (the same columns as a layer-wise run's, <see cref="RunMetricsParquet.PerplexityFile"/>).
/// </summary>
public static class TrainingMetricsParquet
{
    public const string CurveFile = RunMetricsParquet.TrainingFile;

    public static IReadOnlyList<TrainingCurveRow> CurveRows(string run, TrainingReport report) =>
        report.Curve.Select(s => new TrainingCurveRow
        {
            Run = run, Method = report.Method, Step = s.Step, Loss = s.Loss, LambdaTerm = s.LambdaTerm, TwoSparseFraction = s.TwoSparseFraction,
            LearningRate = s.LearningRate, GradNorm = s.GradNorm, Seconds = s.Seconds,
        }).ToList();

    /// <summary>Writes both files into <paramref name="directory"/>: the temporary directory of a training output,
    /// published as a whole by a rename, so no reader sees half a file.</summary>
    public static void Write(string directory, string run, TrainingReport report)
    {
        ParquetSerializer.SerializeAsync(CurveRows(run, report), Path.Combine(directory, CurveFile)).GetAwaiter().GetResult();
        ParquetSerializer.SerializeAsync(RunMetricsParquet.PerplexityRows(run, report.Method, report.Evaluation),
            Path.Combine(directory, RunMetricsParquet.PerplexityFile)).GetAwaiter().GetResult();
    }

    /// <summary>The curve back from <paramref name="directory"/>'s training.parquet, with a clear error for a file that is not one.</summary>
    public static IList<TrainingCurveRow> ReadCurve(string directory)
    {
        var path = Path.Combine(directory, CurveFile);
        try
        {
            return ParquetSerializer.DeserializeAsync<TrainingCurveRow>(path).GetAwaiter().GetResult().Data;
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException or FileNotFoundException))
        {
            throw new InvalidDataException($"{path}: not a readable training-curve Parquet file: {e.Message}", e);
        }
    }
}
