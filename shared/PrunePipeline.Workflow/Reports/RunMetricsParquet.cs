using Parquet.Serialization;

namespace PrunePipeline.Workflow.Reports;

/// <summary>
/// layers.parquet and perplexity.parquet next to report.json in every output directory (prunectl prune) and every
/// pipeline run output, so users can stack many runs in pandas/Polars/DuckDB; <c>prunectl compare</c> reads them back
/// (and falls back to report.json for outputs written before they existed).
/// </summary>
public static class RunMetricsParquet
{
    public const string LayersFile = "layers.parquet";
    public const string PerplexityFile = "perplexity.parquet";
    /// <summary>The training curve of a ProxSparse or finetuning output (written by PrunePipeline.Training; named here so
    /// that <see cref="Output.PrunedModelWriter"/> never copies one run's curve into another's output).</summary>
    public const string TrainingFile = "training.parquet";

    /// <summary>
    /// The device a layer was pruned on. THE single place to fill it: every layer runs on the CPU until the engine
    /// gains devices; then take it from the layer's report (like <see cref="LayerReport.Worker"/>).
    /// </summary>
    public static string DeviceOf(LayerReport layer) => "cpu";

    /// <summary>The rows of <paramref name="report"/>; <paramref name="run"/> names the run in every row.</summary>
    public static IReadOnlyList<LayerMetricsRow> LayerRows(string run, PruneReport report, string defaultWorker) =>
        report.Layers.Select(l => new LayerMetricsRow
        {
            Run = run, Block = l.Block, Layer = l.Linear, Tensor = l.Tensor, Rows = l.Rows, Cols = l.Cols, Method = report.Label,
            Lambda0 = report.Parameters.Lambda0, Beta = report.Parameters.Beta, Iterations = l.Iterations, FinalLambda = l.FinalLambda,
            HitMaxIterations = l.HitMaxIterations, DampingUsed = l.DampingUsed, LossBefore = l.LossBeforeRefine, LossAfter = l.LossAfterRefine,
            KeptFraction = l.KeptFraction, Seconds = l.MethodSeconds + l.RefineSeconds, MethodSeconds = l.MethodSeconds,
            RefineSeconds = l.RefineSeconds, Worker = l.Worker ?? defaultWorker, Device = DeviceOf(l),
        }).ToList();

    public static IReadOnlyList<PerplexityRow> PerplexityRows(string run, PruneReport report) => PerplexityRows(run, report.Label, report.Evaluation);

    /// <summary>The rows of any run's evaluation (also the training runs' perplexity.parquet), labelled <paramref name="method"/>.</summary>
    public static IReadOnlyList<PerplexityRow> PerplexityRows(string run, string method, IReadOnlyList<DatasetReport> evaluation) =>
        evaluation.Select(e => new PerplexityRow
        {
            Run = run, Method = method, Dataset = e.Dataset, Path = e.Path, SeqLen = e.SeqLen, Sequences = e.Sequences,
            PredictedTokens = e.PredictedTokens, PerplexityBefore = e.PerplexityBefore, PerplexityAfter = e.PerplexityAfter,
            Convention = e.Convention,
        }).ToList();

    /// <summary>
    /// Writes both files into <paramref name="directory"/>, each through a temporary name and a rename, so a reader never
    /// sees half a file. Layers without a recorded worker get this process ("prunectl@host:pid").
    /// </summary>
    public static void Write(string directory, string run, PruneReport report)
    {
        var worker = $"prunectl@{Environment.MachineName}:{Environment.ProcessId}";
        WriteAtomically(Path.Combine(directory, LayersFile), LayerRows(run, report, worker));
        WriteAtomically(Path.Combine(directory, PerplexityFile), PerplexityRows(run, report));
    }

    static void WriteAtomically<T>(string path, IReadOnlyList<T> rows) where T : new()
    {
        var tmp = path + ".tmp";
        try
        {
            ParquetSerializer.SerializeAsync(rows, tmp).GetAwaiter().GetResult();
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    /// <summary>
    /// <paramref name="report"/> with its layers and perplexities taken from the directory's Parquet files when both
    /// are there (what <c>prunectl compare</c> shows), unchanged otherwise (outputs written before they existed).
    /// </summary>
    public static PruneReport WithParquetMetrics(string directory, PruneReport report)
    {
        var layersPath = Path.Combine(directory, LayersFile);
        var perplexityPath = Path.Combine(directory, PerplexityFile);
        if (!File.Exists(layersPath) || !File.Exists(perplexityPath)) return report;
        var layers = Read<LayerMetricsRow>(layersPath).Select((r, i) =>
        {
            T Need<T>(T? v, string column) where T : struct => Required(v, layersPath, column, i);
            return new LayerReport(Need(r.Block, "block"), r.Layer ?? Missing<string>(layersPath, "layer", i), r.Tensor ?? "",
                Need(r.Rows, "rows"), Need(r.Cols, "cols"), Need(r.LossBefore, "loss_before"), Need(r.LossAfter, "loss_after"),
                Need(r.Iterations, "iterations"), r.FinalLambda, r.HitMaxIterations ?? false, r.DampingUsed, r.MethodSeconds ?? r.Seconds ?? 0,
                r.RefineSeconds ?? 0, r.KeptFraction ?? 0.5, r.Worker);
        }).ToList();
        var evaluation = Read<PerplexityRow>(perplexityPath).Select((r, i) =>
        {
            T Need<T>(T? v, string column) where T : struct => Required(v, perplexityPath, column, i);
            return new DatasetReport(r.Dataset ?? Missing<string>(perplexityPath, "dataset", i), r.Path ?? "", Need(r.SeqLen, "seqlen"),
                r.Convention ?? "", Need(r.Sequences, "sequences"), Need(r.PredictedTokens, "predicted_tokens"), r.PerplexityBefore,
                Need(r.PerplexityAfter, "ppl_after"));
        }).ToList();
        return report with { Layers = layers, Evaluation = evaluation };
    }

    static T Required<T>(T? value, string path, string column, int row) where T : struct => value ?? Missing<T>(path, column, row);

    static T Missing<T>(string path, string column, int row) =>
        throw new InvalidDataException($"{path}: column '{column}' is null or absent in row {row} (counting from 0).");

    static IList<T> Read<T>(string path) where T : class, new()
    {
        try
        {
            return ParquetSerializer.DeserializeAsync<T>(path).GetAwaiter().GetResult().Data;
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            throw new InvalidDataException($"{path}: not a readable {typeof(T).Name.Replace("Row", "", StringComparison.Ordinal)} Parquet file: {e.Message}", e);
        }
    }
}
