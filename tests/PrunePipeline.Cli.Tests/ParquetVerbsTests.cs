using System.Text.Json;
using Parquet.Serialization;
using PrunePipeline.Artifacts;
using PrunePipeline.Cli.Verbs;
using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.Cli.Tests;

/// <summary>Parquet through the verbs: --calib / --eval / --dataset files with --text-column, the metrics files of prune
/// and run outputs, and compare reading them.</summary>
public sealed class ParquetVerbsTests : IDisposable
{
    readonly string temp = Directory.CreateTempSubdirectory("pp-cli-parquet").FullName;

    public void Dispose() => Directory.Delete(temp, true);

    static string Shared(params string[] parts) => RepoPaths.Shared(parts);

    public sealed class Doc
    {
        public string? Body { get; set; }
    }

    static async Task<(int Code, string Err)> Run(params string[] args)
    {
        var err = new StringWriter();
        var code = await VerbRunner.RunAsync(args, new StringWriter(), err);
        return (code, err.ToString());
    }

    async Task<string> StoriesParquet(IEnumerable<string> stories)
    {
        var path = Path.Combine(temp, "stories.parquet");
        await ParquetSerializer.SerializeAsync(stories.Select(s => new Doc { Body = s }), path);
        return path;
    }

    static List<string> Stories(int n) =>
        File.ReadAllText(Shared("data", "tinystories", "tinystories_val_first1000.eot.txt")).Split("<|endoftext|>").Where(s => s.Trim().Length > 0).Take(n).ToList();

    async Task<string> ConvertedModel()
    {
        var model = Path.Combine(temp, "model");
        var (code, err) = await Run("convert-llama2c", "--checkpoint", Shared("models", "stories260K", "stories260K.bin"),
            "--tokenizer", Shared("models", "stories260K", "tok512.bin"), "--out", model);
        Assert.True(code == 0, err);
        return model;
    }

    [Fact]
    public async Task Eval_of_a_parquet_dataset_equals_eval_of_the_same_stories_as_text()
    {
        var model = await ConvertedModel();
        var stories = Stories(40);
        var txt = Path.Combine(temp, "stories.txt");
        await File.WriteAllTextAsync(txt, string.Join("<|endoftext|>", stories));
        var parquet = await StoriesParquet(stories);

        async Task<JsonElement> Eval(string path, params string[] extra)
        {
            var json = Path.Combine(temp, Guid.NewGuid().ToString("N") + ".json");
            var (code, err) = await Run(["eval", "--model", model, "--seqlen", "128", "--dataset", "tinystories=" + path, "--json", json, .. extra]);
            Assert.True(code == 0, err);
            return JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("results")[0].Clone();
        }
        var fromText = await Eval(txt);
        var fromParquet = await Eval(parquet, "--text-column", "Body");
        Assert.Equal(fromText.GetProperty("tokens").GetInt64(), fromParquet.GetProperty("tokens").GetInt64());
        Assert.Equal(fromText.GetProperty("ppl").GetDouble(), fromParquet.GetProperty("ppl").GetDouble());

        // Without --text-column the default 'text' is missing: one line naming the file and the columns it has.
        var (rc, stderr) = await Run("eval", "--model", model, "--seqlen", "128", "--dataset", "tinystories=" + parquet);
        Assert.Equal(1, rc);
        Assert.Contains(parquet, stderr);
        Assert.Contains("'Body'", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public async Task Prune_with_parquet_inputs_writes_metrics_that_compare_and_run_outputs_carry()
    {
        var model = await ConvertedModel();
        var parquet = await StoriesParquet(Stories(60));
        var outDir = Path.Combine(temp, "pruned");
        var (code, err) = await Run("prune", "--model", model, "--method", "wanda", "--refine", "none", "--calib", parquet, "--text-column", "Body",
            "--nsamples", "2", "--seqlen", "32", "--eval", "tinystories=" + parquet, "--eval-seqlen", "64", "--out", outDir);
        Assert.True(code == 0, err);
        var layers = (await ParquetSerializer.DeserializeAsync<LayerMetricsRow>(Path.Combine(outDir, RunMetricsParquet.LayersFile))).Data;
        Assert.Equal(35, layers.Count);
        Assert.All(layers, l => Assert.Equal("pruned", l.Run));
        var report = WorkflowJson.Read<PruneReport>(Path.Combine(outDir, "report.json"));
        Assert.Equal("Body", report.Calibration.TextColumn);

        (code, err) = await Run("compare", outDir, "--html", Path.Combine(temp, "compare.html"));
        Assert.True(code == 0, err);

        // A pipeline run's output (prunectl run): the model downloaded from the store plus report.json and the metrics.
        var store = new FolderArtifactStore(Path.Combine(temp, "artifacts"));
        await store.UploadDirectoryAsync(outDir, "models/r1/");
        var runId = Guid.NewGuid().ToString("D");
        var runOut = Path.Combine(temp, "run-out");
        await RunVerb.CopyModelAsync(store, "models/r1/", runOut, force: false, inputs: [], CancellationToken.None,
            report with { Versions = new Dictionary<string, string> { ["pipeline_run"] = runId } });
        var runLayers = (await ParquetSerializer.DeserializeAsync<LayerMetricsRow>(Path.Combine(runOut, RunMetricsParquet.LayersFile))).Data;
        Assert.Equal(35, runLayers.Count);
        Assert.All(runLayers, l => Assert.Equal(runId, l.Run));
        Assert.True(File.Exists(Path.Combine(runOut, RunMetricsParquet.PerplexityFile)));
    }
}
