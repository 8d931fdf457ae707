using PrunePipeline.Contracts;
using PrunePipeline.Workflow.Calibration;
using PrunePipeline.Workflow.Comparison;
using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.Workflow.Tests;

/// <summary>
/// Parquet on both sides of prunectl prune: calibration text from a Parquet file written by DuckDB gives the same masks
/// as the JSON-lines file, and every output gets layers.parquet / perplexity.parquet that DuckDB reads and compare uses.
/// </summary>
public sealed class RunMetricsParquetTests
{
    static PruneRequest Request(string model, string outDir, string calib, string column, IReadOnlyList<EvalDatasetSpec> eval) =>
        new(model, outDir, new PruneMethodSettings("prox", "gd", RefineSteps: 10, MaxIters: 200),
            new CalibrationSettings(calib, "random-window", 4, 32, 7, column), PruneMode.Sequential, eval, 32);

    static readonly Lazy<(string Json, string Parquet, PruneReport Report)> Runs = new(() =>
    {
        var model = TestData.SyntheticModel(21);
        var dir = TestData.TempDir("metrics");
        var calibParquet = Path.Combine(dir, "c4_validation_2k.parquet");
        DuckDbFiles.Execute($"COPY (SELECT text AS body FROM read_json('{TestData.C4Calibration}', format = 'newline_delimited')) TO '{calibParquet}' (FORMAT parquet, ROW_GROUP_SIZE 300)");
        var stories = TestData.SharedPath("data", "tinystories", "tinystories_val_first1000.eot.txt");
        var storiesParquet = Path.Combine(dir, "stories.parquet");
        DuckDbFiles.WriteTextColumn(storiesParquet, "body", File.ReadAllText(stories).Split("<|endoftext|>").Where(s => s.Trim().Length > 0).Take(50).ToList());

        var fromJson = Path.Combine(dir, "json");
        var fromParquet = Path.Combine(dir, "parquet");
        PruneRun.Execute(Request(model, fromJson, TestData.C4Calibration, "text", []));
        var report = PruneRun.Execute(Request(model, fromParquet, calibParquet, "body", [new EvalDatasetSpec("tinystories", storiesParquet, "body")]));
        return (fromJson, fromParquet, report);
    });

    [Fact]
    public void Calibration_from_parquet_gives_the_same_documents_and_masks_as_json_lines()
    {
        var (json, parquet, _) = Runs.Value;
        Assert.Equal(CalibrationText.ReadDocuments(TestData.C4Calibration),
            CalibrationText.ReadDocuments(Path.Combine(Path.GetDirectoryName(parquet)!, "c4_validation_2k.parquet"), "body"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(json, "masks.safetensors")), File.ReadAllBytes(Path.Combine(parquet, "masks.safetensors")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(json, "model.safetensors")), File.ReadAllBytes(Path.Combine(parquet, "model.safetensors")));
    }

    [Fact]
    public void Layers_parquet_has_one_row_per_layer_as_duckdb_reads_it()
    {
        var (_, dir, report) = Runs.Value;
        Assert.Empty(Directory.EnumerateFiles(dir, "*.tmp"));
        var (columns, rows) = DuckDbFiles.Query($"SELECT * FROM '{Path.Combine(dir, RunMetricsParquet.LayersFile)}' ORDER BY block, tensor");
        foreach (var c in new[] { "run", "block", "layer", "method", "lambda0", "beta", "iterations", "final_lambda", "loss_before", "loss_after", "seconds", "worker", "device" })
            Assert.Contains(c, columns);
        Assert.Equal(report.Layers.Count, rows.Count);
        object? Cell(object?[] row, string column) => row[columns.IndexOf(column)];
        foreach (var row in rows)
        {
            var layer = report.Layers.Single(l => l.Tensor == (string)Cell(row, "tensor")!);
            Assert.Equal("parquet", Cell(row, "run"));
            Assert.Equal(layer.Block, Convert.ToInt32(Cell(row, "block")));
            Assert.Equal(layer.Linear, Cell(row, "layer"));
            Assert.Equal("prox+gd", Cell(row, "method"));
            Assert.Equal(0.01, Cell(row, "lambda0"));
            Assert.Equal(1.01, Cell(row, "beta"));
            Assert.Equal(layer.Iterations, Convert.ToInt32(Cell(row, "iterations")));
            Assert.Equal(layer.FinalLambda, (double?)Cell(row, "final_lambda"));
            Assert.Equal(layer.LossBeforeRefine, Cell(row, "loss_before"));
            Assert.Equal(layer.LossAfterRefine, Cell(row, "loss_after"));
            Assert.Equal(layer.MethodSeconds + layer.RefineSeconds, (double)Cell(row, "seconds")!, 9);
            Assert.StartsWith("prunectl@", (string)Cell(row, "worker")!);
            Assert.Equal("cpu", Cell(row, "device"));
        }
    }

    [Fact]
    public void Perplexity_parquet_matches_the_report()
    {
        var (_, dir, report) = Runs.Value;
        var (columns, rows) = DuckDbFiles.Query($"SELECT * FROM '{Path.Combine(dir, RunMetricsParquet.PerplexityFile)}'");
        var e = Assert.Single(report.Evaluation);
        var row = Assert.Single(rows);
        Assert.Equal("tinystories", row[columns.IndexOf("dataset")]);
        Assert.Equal(e.PerplexityAfter, row[columns.IndexOf("ppl_after")]);
        Assert.Equal(e.PerplexityBefore, row[columns.IndexOf("ppl_before")]);
        Assert.Equal(e.SeqLen, Convert.ToInt32(row[columns.IndexOf("seqlen")]));
        Assert.Equal(e.Convention, row[columns.IndexOf("convention")]);
    }

    [Fact]
    public void Compare_reads_the_parquet_files_and_falls_back_to_report_json_without_them()
    {
        var (_, source, report) = Runs.Value;
        var dir = Path.Combine(TestData.TempDir("compare"), "run");
        Directory.CreateDirectory(dir);
        foreach (var f in new[] { "report.json", RunMetricsParquet.LayersFile })
            File.Copy(Path.Combine(source, f), Path.Combine(dir, f));
        // Another tool rewrites the perplexity file (a user correcting a row in DuckDB): compare must show its value.
        DuckDbFiles.Execute($"COPY (SELECT * REPLACE (123.5::DOUBLE AS ppl_after) FROM '{Path.Combine(source, RunMetricsParquet.PerplexityFile)}') TO '{Path.Combine(dir, RunMetricsParquet.PerplexityFile)}' (FORMAT parquet)");
        var loaded = ComparedRun.Load(dir).Report;
        Assert.Equal(123.5, Assert.Single(loaded.Evaluation).PerplexityAfter);
        Assert.Equal(report.Layers.Select(l => (l.Tensor, l.LossAfterRefine)), loaded.Layers.Select(l => (l.Tensor, l.LossAfterRefine)));

        // An output written before the Parquet files existed: report.json alone.
        File.Delete(Path.Combine(dir, RunMetricsParquet.LayersFile));
        File.Delete(Path.Combine(dir, RunMetricsParquet.PerplexityFile));
        Assert.Equal(report.Evaluation[0].PerplexityAfter, Assert.Single(ComparedRun.Load(dir).Report.Evaluation).PerplexityAfter);
    }

    [Fact]
    public void A_corrupt_metrics_file_is_named_by_compare()
    {
        var (_, source, _) = Runs.Value;
        var dir = Path.Combine(TestData.TempDir("compare-bad"), "run");
        Directory.CreateDirectory(dir);
        foreach (var f in new[] { "report.json", RunMetricsParquet.PerplexityFile })
            File.Copy(Path.Combine(source, f), Path.Combine(dir, f));
        var bytes = File.ReadAllBytes(Path.Combine(source, RunMetricsParquet.LayersFile));
        File.WriteAllBytes(Path.Combine(dir, RunMetricsParquet.LayersFile), bytes[..(bytes.Length / 3)]);
        var e = Assert.Throws<InvalidDataException>(() => ComparedRun.Load(dir));
        Assert.Contains(RunMetricsParquet.LayersFile, e.Message);

        // Readable, but a required value is null (as another tool may write it).
        DuckDbFiles.Execute($"COPY (SELECT * REPLACE (CASE WHEN block = 1 THEN NULL ELSE loss_after END AS loss_after) FROM '{Path.Combine(source, RunMetricsParquet.LayersFile)}') TO '{Path.Combine(dir, RunMetricsParquet.LayersFile)}' (FORMAT parquet)");
        e = Assert.Throws<InvalidDataException>(() => ComparedRun.Load(dir));
        Assert.Contains(RunMetricsParquet.LayersFile, e.Message);
        Assert.Contains("'loss_after'", e.Message);
        Assert.Contains("row 7", e.Message); // block 0 has rows 0-6
    }
}
