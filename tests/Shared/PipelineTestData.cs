using PrunePipeline.Model.Llama2c;
using PrunePipeline.ServiceDefaults.Configuration;
using PrunePipeline.Tokenizers;

namespace PrunePipeline.Tests;

/// <summary>The converted stories260K model (once per test run) and the data paths the pipeline tests share.</summary>
internal static class PipelineTestData
{
    static readonly Lazy<string> Stories = new(() =>
    {
        var dir = TempDir("stories260K");
        Llama2cConverter.Convert(RepoPaths.Shared("models", "stories260K", "stories260K.bin"), dir);
        TokenizerFiles.WriteToDirectory(RepoPaths.Shared("models", "stories260K", "tok512.bin"), dir);
        return dir;
    });

    public static string Stories260K => Stories.Value;

    public static string C4Calibration => RepoPaths.Shared("data", "c4", "c4_validation_2k.jsonl");

    public static string TinyStories => RepoPaths.Shared("data", "tinystories", "tinystories_val_first1000.eot.txt");

    /// <summary>Embedded options (folder artifacts, SQLite history) under <paramref name="dir"/>.</summary>
    public static PipelineOptions EmbeddedOptions(string dir)
    {
        var options = new PipelineOptions();
        options.Artifacts.FolderPath = Path.Combine(dir, "artifacts");
        options.EventStore.SqlitePath = Path.Combine(dir, "events.db");
        return options;
    }

    public static string TempDir(string what)
    {
        var dir = Path.Combine(Path.GetTempPath(), "pp-pipeline-tests", what + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
