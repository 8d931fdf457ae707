using PrunePipeline.Cli.Verbs;

namespace PrunePipeline.Cli.Tests;

public class PruneVerbTests
{
    private static string Shared(params string[] parts) => RepoPaths.Shared(parts);

    [Fact]
    public void ParsesEvalListsAndRejectsUnknownSets()
    {
        var specs = PruneOptions.ParseEval(["wikitext2=/a,c4=/b", "tinystories=/c"]);
        Assert.Equal(["wikitext2", "c4", "tinystories"], specs.Select(s => s.Name));
        Assert.Equal("/b", specs[1].Path);
        Assert.Throws<UsageException>(() => PruneOptions.ParseEval(["ptb=/x"]));
        Assert.Throws<UsageException>(() => PruneOptions.ParseEval(["c4"]));
    }

    [Fact]
    public async Task BadCalibrationFileIsOneLineNamingTheFileAndNothingIsWritten()
    {
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            var model = Path.Combine(dir.FullName, "model");
            var rc0 = await VerbRunner.RunAsync(["convert-llama2c", "--checkpoint", Shared("models", "stories260K", "stories260K.bin"),
                "--tokenizer", Shared("models", "stories260K", "tok512.bin"), "--out", model], new StringWriter(), new StringWriter());
            Assert.Equal(0, rc0);
            var outDir = Path.Combine(dir.FullName, "out");
            var stderr = new StringWriter();
            var rc = await VerbRunner.RunAsync(["prune", "--model", model, "--method", "wanda", "--calib", Shared("data", "c4", "c4_valid_part_of_0.json"),
                "--nsamples", "2", "--seqlen", "16", "--out", outDir], new StringWriter(), stderr);
            Assert.Equal(1, rc);
            Assert.Contains("c4_valid_part_of_0.json", stderr.ToString());
            Assert.DoesNotContain("   at ", stderr.ToString());
            Assert.False(Directory.Exists(outDir));
            Assert.False(Directory.Exists(outDir + ".tmp"));

            var usage = new StringWriter();
            Assert.Equal(2, await VerbRunner.RunAsync(["prune", "--model", model, "--method", "obs", "--calib", "x", "--out", outDir], new StringWriter(), usage));
            Assert.Contains("--method", usage.ToString());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
