using System.Text.Json;
using PrunePipeline.Model;

namespace PrunePipeline.Cli.Tests;

/// <summary>convert-llama2c, eval, generate, synth through the verb runner (exit codes, files, error lines).</summary>
public class ModelVerbsTests
{
    // One folder per test process, removed when the process exits, so repeated runs do not fill /tmp.
    private static readonly string TempRoot = CreateTempRoot();

    private static string CreateTempRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), "pp-cli-tests", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(root, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        return root;
    }

    private static string Shared(params string[] parts) => RepoPaths.Shared(parts);

    private static string Temp() => Path.Combine(TempRoot, Guid.NewGuid().ToString("N"));

    private static async Task<(int Code, string Err)> Run(params string[] args)
    {
        var err = new StringWriter();
        var code = await VerbRunner.RunAsync(args, new StringWriter(), err);
        return (code, err.ToString());
    }

    private static async Task<string> Convert()
    {
        var dir = Temp();
        var (code, err) = await Run("convert-llama2c", "--checkpoint", Shared("models", "stories260K", "stories260K.bin"),
            "--tokenizer", Shared("models", "stories260K", "tok512.bin"), "--out", dir);
        Assert.True(code == 0, err);
        return dir;
    }

    [Fact]
    public async Task ConvertThenEval_WritesJsonWithTheSection9Counts()
    {
        var dir = await Convert();
        foreach (var f in new[] { "config.json", "model.safetensors", "generation_config.json" }) Assert.True(File.Exists(Path.Combine(dir, f)), f);
        var json = Path.Combine(Temp(), "ppl.json");
        var (code, err) = await Run("eval", "--model", dir, "--seqlen", "512",
            "--dataset", "tinystories=" + Shared("data", "tinystories", "tinystories_val_first1000.eot.txt"), "--json", json);
        Assert.True(code == 0, err);
        var r = JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("results")[0];
        Assert.Equal("tinystories", r.GetProperty("dataset").GetString());
        Assert.Equal(512, r.GetProperty("seqlen").GetInt32());
        Assert.Equal(369_992, r.GetProperty("tokens").GetInt64()); // algorithm.md §9 count for tok512 at seqlen 512
        Assert.Equal(1000, r.GetProperty("windows").GetInt32());
        Assert.InRange(r.GetProperty("ppl").GetDouble(), 3.0, 7.0);
        Assert.False(string.IsNullOrEmpty(r.GetProperty("convention").GetString()));
    }

    [Fact]
    public async Task Generate_RunsOnAConvertedModel()
    {
        var dir = await Convert();
        var (code, err) = await Run("generate", "--model", dir, "--prompt", "Once upon a time", "--max-tokens", "8");
        Assert.True(code == 0, err);
    }

    [Fact]
    public async Task Convert_TruncatedCheckpoint_IsOneClearLine()
    {
        var bin = Path.Combine(Temp(), "short.bin");
        Directory.CreateDirectory(Path.GetDirectoryName(bin)!);
        File.WriteAllBytes(bin, File.ReadAllBytes(Shared("models", "stories260K", "stories260K.bin"))[..5000]);
        var (code, err) = await Run("convert-llama2c", "--checkpoint", bin, "--tokenizer", Shared("models", "stories260K", "tok512.bin"), "--out", Temp());
        Assert.Equal(1, code);
        Assert.Contains("truncated llama2.c checkpoint", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public async Task Eval_UnknownDataset_IsAUsageError()
    {
        var (code, err) = await Run("eval", "--model", Temp(), "--seqlen", "128", "--dataset", "ptb=x.txt");
        Assert.Equal(2, code);
        Assert.Contains("unknown dataset 'ptb'", err);
    }

    [Fact]
    public async Task Eval_MissingModel_NamesTheDirectory()
    {
        var dir = Temp();
        var (code, err) = await Run("eval", "--model", dir, "--seqlen", "128",
            "--dataset", "tinystories=" + Shared("data", "tinystories", "tinystories_val_first1000.eot.txt"));
        Assert.Equal(1, code);
        Assert.Contains(dir, err);
    }

    [Fact]
    public async Task Synth_WritesALoadableModelOfTheRequestedShape()
    {
        var dir = Temp();
        var (code, err) = await Run("synth", "--layers", "2", "--hidden", "32", "--intermediate", "48", "--heads", "4", "--kv-heads", "2",
            "--vocab", "100", "--seed", "3", "--out", dir);
        Assert.True(code == 0, err);
        using var model = LlamaModel.Open(dir);
        Assert.Equal((2, 32, 48, 4, 2, 100, 8), (model.Config.NumHiddenLayers, model.Config.HiddenSize, model.Config.IntermediateSize,
            model.Config.NumAttentionHeads, model.Config.NumKeyValueHeads, model.Config.VocabSize, model.Config.HeadDim));
        var nll = LlamaForward.Create(model, 8).SequenceNll([1, 2, 3, 4]);
        Assert.True(double.IsFinite(nll) && nll > 0);
    }
}
