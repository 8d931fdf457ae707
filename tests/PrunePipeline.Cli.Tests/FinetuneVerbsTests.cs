using System.Text.Json;
using static PrunePipeline.Cli.Tests.PipelineVerbsTests;

namespace PrunePipeline.Cli.Tests;

/// <summary>--finetune through the pipeline verbs (issue 13), as a user runs them: <c>prunectl run --finetune</c> writes
/// the same finetuned weights as <c>prunectl prune --finetune</c> with the same options, and its report.json carries the
/// finetune section.</summary>
public sealed class FinetuneVerbsTests
{
    [Fact]
    public async Task Run_with_finetune_equals_prune_with_finetune_and_reports_the_curve()
    {
        var dir = Directory.CreateTempSubdirectory("pp-finetune-verbs-").FullName;
        var model = Path.Combine(dir, "model");
        var convert = await Prunectl("convert-llama2c", "--checkpoint", RepoPaths.Shared("models", "stories260K", "stories260K.bin"),
            "--tokenizer", RepoPaths.Shared("models", "stories260K", "tok512.bin"), "--out", model);
        Assert.True(convert.Code == 0, convert.Err);
        // magnitude: its masks do not depend on the calibration text, which prune restricts to --calib-stories and the
        // pipeline's calibrator does not (there the option selects the finetuning text only; see PruneOptions.Usage).
        string[] options = ["--model", model, "--method", "magnitude", "--calib", RepoPaths.Shared("data", "tinystories", "tinystories_val_first1000.eot.txt"),
            "--nsamples", "2", "--seqlen", "16", "--mode", "one-shot", "--finetune", "--finetune-steps", "4", "--finetune-lr", "3e-3",
            "--calib-stories", "500-999", "--threads", "1"];

        var run = await Prunectl(["run", .. options, "--finetune-checkpoint-every", "2", "--work", Path.Combine(dir, "work"), "--out", Path.Combine(dir, "run")]);
        Assert.True(run.Code == 0, run.Err);
        Assert.Contains("finetune checkpoint after step 2", run.Err);
        Assert.Contains("model finetuned under finetuned/", run.Err);
        var prune = await Prunectl(["prune", .. options, "--out", Path.Combine(dir, "prune")]);
        Assert.True(prune.Code == 0, prune.Err);

        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "prune", "model.safetensors")), File.ReadAllBytes(Path.Combine(dir, "run", "model.safetensors")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "prune", "masks.safetensors")), File.ReadAllBytes(Path.Combine(dir, "run", "masks.safetensors")));
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "run", "report.json")));
        var finetune = report.RootElement.GetProperty("finetune");
        Assert.Equal(4, finetune.GetProperty("curve").GetArrayLength());
        var stories = finetune.GetProperty("data").GetProperty("stories");
        Assert.Equal((500, 999), (stories.GetProperty("first").GetInt32(), stories.GetProperty("last").GetInt32()));
        Assert.Equal("magnitude", report.RootElement.GetProperty("method").GetString());
    }

    [Fact]
    public async Task A_bad_finetune_setting_is_one_line_naming_it()
    {
        var r = await CliRun.Run("submit", "--model", "/nonexistent", "--method", "wanda", "--calib", "/x.jsonl", "--finetune", "--finetune-loss", "mse");
        CliRun.AssertOneLineError(r, "finetune-loss", "mse");
    }

    /// <summary>The training path of <c>prune</c> (ProxSparse, --finetune) validates --mode and --sampler like every
    /// other prune (an unknown --mode used to mean sequential).</summary>
    [Theory]
    [InlineData("--mode", "one-shoot")]
    [InlineData("--sampler", "random")]
    public async Task The_training_path_refuses_an_unknown_mode_or_sampler(string option, string value)
    {
        var r = await CliRun.Run("prune", "--model", "/nonexistent", "--method", "wanda", "--calib", "/x.jsonl", "--out", "/tmp/never-written",
            "--finetune", option, value);
        Assert.Equal(2, r.Code); // a usage error: the line naming the option, then the verb's usage
        var first = r.Error.Split('\n')[0];
        Assert.Contains(option, first);
        Assert.Contains($"'{value}'", first);
        Assert.False(Directory.Exists("/tmp/never-written"));
    }
}
