using PrunePipeline.Model.Llama2c;
using PrunePipeline.Tokenizers;

namespace PrunePipeline.Pipeline.Tests;

/// <summary>The converted stories260K model (once per test run) and shared data paths.</summary>
internal static class PipelineTestData
{
    static readonly Lazy<string> Stories = new(() =>
    {
        var dir = TempDir("stories260K");
        Llama2cConverter.Convert(SharedPath("models", "stories260K", "stories260K.bin"), dir);
        TokenizerFiles.WriteToDirectory(SharedPath("models", "stories260K", "tok512.bin"), dir);
        return dir;
    });

    public static string Stories260K => Stories.Value;

    public static string C4Calibration => SharedPath("data", "c4", "c4_validation_2k.jsonl");

    public static string TinyStories => SharedPath("data", "tinystories", "tinystories_val_first1000.eot.txt");

    public static string TempDir(string what)
    {
        var dir = Path.Combine(Path.GetTempPath(), "pp-pipeline-tests", what + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static string SharedPath(params string[] parts) => Path.GetFullPath(Path.Combine([RepoRoot(), "..", "shared", .. parts]));

    public static string RepoRoot() => RepoPaths.Root();
}
