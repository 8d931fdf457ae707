using PrunePipeline.Model;

namespace PrunePipeline.Cli.Tests;

/// <summary>Issue 9 part 4: a model with NaN/Inf weights and requests too large for memory are refused with one line
/// naming the tensor and file (or the figure); nothing is written.</summary>
public sealed class BrokenModelTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("prune-broken-").FullName;
    private readonly string _model;
    private readonly string _data;

    public BrokenModelTests()
    {
        _model = Path.Combine(_root, "model");
        CliRun.ConvertStories(_model);
        _data = Path.Combine(_root, "stories.txt");
        File.WriteAllText(_data, string.Join("<|endoftext|>", Enumerable.Repeat("Once upon a time a cat sat on a mat and was happy with its friend.", 6)));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A copy of the model whose tensor <paramref name="tensor"/> has <paramref name="value"/> at element 3.</summary>
    private string WithBadValue(string tensor, float value)
    {
        var dir = Path.Combine(_root, "bad-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        foreach (var f in Directory.GetFiles(_model).Where(f => !f.EndsWith(".safetensors", StringComparison.Ordinal)))
            File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        using var source = LlamaModel.Open(_model);
        LlamaModelWriter.Write(dir, source.Config, (name, _) =>
        {
            var v = source.ReadTensor(name);
            if (name == tensor) v[3] = value;
            return v;
        });
        return dir;
    }

    [Theory]
    [InlineData("model.embed_tokens.weight")]
    [InlineData("model.layers.2.mlp.down_proj.weight")]
    [InlineData("model.norm.weight")]
    public async Task EvalOfNaNWeightsNamesTheTensorAndFile(string tensor)
    {
        var bad = WithBadValue(tensor, float.NaN);
        var json = Path.Combine(_root, "ppl.json");
        var before = FileSnapshot.Of(_root);
        CliRun.AssertOneLineError(await CliRun.Run("eval", "--model", bad, "--seqlen", "16", "--dataset", $"tinystories={_data}", "--json", json),
            tensor, Path.Combine(bad, "model.safetensors"), "NaN");
        FileSnapshot.AssertUnchanged(before, _root);
    }

    [Fact]
    public async Task GenerateAndPruneRefuseInfWeights()
    {
        var bad = WithBadValue("model.layers.0.self_attn.q_proj.weight", float.PositiveInfinity);
        CliRun.AssertOneLineError(await CliRun.Run("generate", "--model", bad, "--prompt", "Once upon", "--max-tokens", "4"),
            "model.layers.0.self_attn.q_proj.weight", "Inf");
        var outDir = Path.Combine(_root, "out");
        CliRun.AssertOneLineError(await CliRun.Run("prune", "--model", bad, "--method", "wanda", "--calib", _data, "--nsamples", "2", "--seqlen", "8",
            "--no-dense-eval", "--out", outDir), "model.layers.0.self_attn.q_proj.weight");
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public async Task GenerateAndEvalOfOverflowingFiniteWeightsFailInsteadOfPrintingGarbage()
    {
        var bad = WithBadValue("model.norm.weight", 3e38f);
        CliRun.AssertOneLineError(await CliRun.Run("generate", "--model", bad, "--prompt", "Once upon", "--max-tokens", "4"), "logits contain");
        CliRun.AssertOneLineError(await CliRun.Run("eval", "--model", bad, "--seqlen", "16", "--dataset", $"tinystories={_data}"), "non-finite loss");
    }

    [Fact]
    public async Task HugeRequestsAreRefusedUpFrontWithTheFigure()
    {
        var outDir = Path.Combine(_root, "out");
        var before = FileSnapshot.Of(_root);
        CliRun.AssertOneLineError(await CliRun.Run("prune", "--model", _model, "--method", "wanda", "--calib", _data, "--nsamples", "2147483647",
            "--seqlen", "512", "--out", outDir), "--nsamples 2147483647", "GiB");
        CliRun.AssertOneLineError(await CliRun.Run("run", "--model", _model, "--method", "wanda", "--calib", _data, "--nsamples", "2147483647",
            "--seqlen", "512", "--out", outDir, "--work", Path.Combine(_root, "work")), "--nsamples 2147483647", "GiB");
        CliRun.AssertOneLineError(await CliRun.Run("eval", "--model", _model, "--seqlen", "2000000000", "--dataset", $"tinystories={_data}"),
            "--seqlen 2000000000", "GiB");
        Assert.False(Directory.Exists(outDir));
        FileSnapshot.AssertUnchanged(before, _root);
        // seqlen beyond the model is refused before anything is read
        Assert.Equal(2, (await CliRun.Run("run", "--model", _model, "--method", "wanda", "--calib", _data, "--seqlen", "100000", "--out", outDir)).Code);
    }
}
