namespace PrunePipeline.Cli.Tests;

/// <summary>Runs prunectl in-process and keeps its exit code and the runner's stderr line.</summary>
internal static class CliRun
{
    public static async Task<(int Code, string Error)> Run(params string[] args)
    {
        var stderr = new StringWriter();
        var code = await VerbRunner.RunAsync(args, new StringWriter(), stderr);
        return (code, stderr.ToString());
    }

    /// <summary>stories260K converted into <paramref name="outDir"/> (a small real model with its tokenizer).</summary>
    public static void ConvertStories(string outDir)
    {
        var r = Run("convert-llama2c", "--checkpoint", RepoPaths.Shared("models", "stories260K", "stories260K.bin"),
            "--tokenizer", RepoPaths.Shared("models", "stories260K", "tok512.bin"), "--out", outDir).Result;
        Assert.True(r.Code == 0, r.Error);
    }

    /// <summary>A one-line error (no stack trace) with exit code 1 that mentions every fragment.</summary>
    public static void AssertOneLineError((int Code, string Error) r, params string[] fragments)
    {
        Assert.True(r.Code == 1, $"exit {r.Code}: {r.Error}");
        Assert.DoesNotContain("   at ", r.Error);
        Assert.Single(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        foreach (var f in fragments) Assert.Contains(f, r.Error);
    }
}
