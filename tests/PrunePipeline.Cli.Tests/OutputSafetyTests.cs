using PrunePipeline.Model.Io;
using PrunePipeline.Workflow.Output;

namespace PrunePipeline.Cli.Tests;

/// <summary>Issue 9 part 1: no verb that writes may destroy an input or anything that is not a previous output of ours.
/// Each case checks the exit code, that the message names the path, and that every file is byte-identical afterwards.</summary>
public sealed class OutputSafetyTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("prune-outsafety-").FullName;
    private readonly string _model;
    private readonly string _calib;

    public OutputSafetyTests()
    {
        // root/work/model (a converted stories260K), root/work/calib.jsonl and an unrelated file root/work/notes.txt
        var work = Path.Combine(_root, "work");
        Directory.CreateDirectory(work);
        _model = Path.Combine(work, "model");
        CliRun.ConvertStories(_model);
        _calib = Path.Combine(work, "calib.jsonl");
        File.WriteAllLines(_calib, Enumerable.Range(0, 20).Select(i => $"{{\"text\": \"Once upon a time there was a little dog number {i}. It liked to run and play in the park with its friends.\"}}"));
        File.WriteAllText(Path.Combine(work, "notes.txt"), "mine");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string[] Prune(string outDir, params string[] extra) =>
        ["prune", "--model", _model, "--method", "magnitude", "--refine", "none", "--calib", _calib, "--nsamples", "2", "--seqlen", "16",
         "--no-dense-eval", "--out", outDir, .. extra];

    [Fact]
    public async Task PruneForceIntoTheParentOfTheModelIsRefusedAndNothingChanges()
    {
        var before = FileSnapshot.Of(_root);
        var parent = Path.Combine(_root, "work");
        CliRun.AssertOneLineError(await CliRun.Run(Prune(parent, "--force")), "contains the input", parent);
        CliRun.AssertOneLineError(await CliRun.Run(Prune(_model, "--force")), "is the input", _model);
        // the same folders spelled with ".." and through a symlink
        CliRun.AssertOneLineError(await CliRun.Run(Prune(Path.Combine(_model, "..", "model", "..") , "--force")), "contains the input");
        var link = Path.Combine(_root, "link");
        Directory.CreateSymbolicLink(link, parent);
        CliRun.AssertOneLineError(await CliRun.Run(Prune(link, "--force")), "contains the input");
        CliRun.AssertOneLineError(await CliRun.Run(Prune(Path.Combine(link, "model"), "--force")), "is the input");
        File.Delete(link);
        FileSnapshot.AssertUnchanged(before, _root);
    }

    [Fact]
    public async Task PruneForceIntoAFolderHoldingTheCalibrationDataIsRefused()
    {
        var data = Path.Combine(_root, "data");
        Directory.CreateDirectory(data);
        var calib = Path.Combine(data, "c.jsonl");
        File.Copy(_calib, calib);
        var before = FileSnapshot.Of(_root);
        var args = Prune(data, "--force");
        args[Array.IndexOf(args, "--calib") + 1] = calib;
        CliRun.AssertOneLineError(await CliRun.Run(args), "contains the input", calib);
        FileSnapshot.AssertUnchanged(before, _root);
    }

    [Fact]
    public async Task ForceReplacesOnlyOurOwnOutput()
    {
        var outDir = Path.Combine(_root, "out");
        Assert.Equal(0, (await CliRun.Run(Prune(outDir))).Code);
        Assert.True(File.Exists(Path.Combine(outDir, OutputGuard.MarkerFileName)));
        Assert.Empty(Directory.GetFileSystemEntries(_root, ".out.tmp-*"));

        // without --force: refused, with --force: replaced (ours)
        CliRun.AssertOneLineError(await CliRun.Run(Prune(outDir)), "--force", outDir);
        var r = await CliRun.Run(Prune(outDir, "--force", "--seed", "1"));
        Assert.True(r.Code == 0, r.Error);
        Assert.Contains("\"seed\": 1", File.ReadAllText(Path.Combine(outDir, "report.json")));

        // a file of the user's inside it: no longer ours only
        File.WriteAllText(Path.Combine(outDir, "my-notes.md"), "keep me");
        var before = FileSnapshot.Of(_root);
        CliRun.AssertOneLineError(await CliRun.Run(Prune(outDir, "--force")), "not a previous output", "my-notes.md");
        FileSnapshot.AssertUnchanged(before, _root);

        // an unrelated non-empty folder (no marker)
        var other = Path.Combine(_root, "other");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "thesis.tex"), "years of work");
        before = FileSnapshot.Of(_root);
        CliRun.AssertOneLineError(await CliRun.Run(Prune(other, "--force")), "not a previous output", OutputGuard.MarkerFileName);
        FileSnapshot.AssertUnchanged(before, _root);
    }

    [Fact]
    public async Task RunForceIntoTheParentOfTheModelIsRefusedBeforeAnythingStarts()
    {
        var before = FileSnapshot.Of(_root);
        var parent = Path.Combine(_root, "work");
        CliRun.AssertOneLineError(await CliRun.Run(["run", "--model", _model, "--method", "magnitude", "--calib", _calib, "--nsamples", "2",
            "--seqlen", "16", "--out", parent, "--force", "--work", Path.Combine(_root, "pipeline")]), "contains the input", parent);
        FileSnapshot.AssertUnchanged(before, _root);
    }

    [Fact]
    public async Task ConvertAndSynthNeverWriteIntoAForeignOrInputFolder()
    {
        var before = FileSnapshot.Of(_root);
        string[] convert = ["convert-llama2c", "--checkpoint", RepoPaths.Shared("models", "stories260K", "stories260K.bin"),
            "--tokenizer", RepoPaths.Shared("models", "stories260K", "tok512.bin")];
        // the model folder came from convert-llama2c: ours, but only replaced with --force
        CliRun.AssertOneLineError(await CliRun.Run([.. convert, "--out", _model]), "--force");
        CliRun.AssertOneLineError(await CliRun.Run(["synth", "--layers", "1", "--hidden", "8", "--intermediate", "16", "--heads", "2", "--vocab", "16",
            "--out", Path.Combine(_root, "work")]), "not empty");
        CliRun.AssertOneLineError(await CliRun.Run(["synth", "--layers", "1", "--hidden", "8", "--intermediate", "16", "--heads", "2", "--vocab", "16",
            "--tokenizer", Path.Combine(_model, "tokenizer.bin"), "--out", Path.Combine(_root, "work"), "--force"]), "contains the input");
        FileSnapshot.AssertUnchanged(before, _root);
        Assert.Equal(0, (await CliRun.Run([.. convert, "--out", _model, "--force"])).Code);
    }

    [Fact]
    public async Task LayerNeverOverwritesItsInputsAndReplacesOtherFilesOnlyWithForce()
    {
        var dir = Path.Combine(_root, "layer");
        Directory.CreateDirectory(dir);
        var wp = Path.Combine(dir, "W.npy");
        var hp = Path.Combine(dir, "H.npy");
        var rng = new Random(1);
        var w = Enumerable.Range(0, 4 * 8).Select(_ => (float)rng.NextDouble()).ToArray();
        var h = new float[64];
        for (var i = 0; i < 8; i++) h[i * 8 + i] = 1 + i;
        Npy.Write(wp, w, [4, 8]);
        Npy.Write(hp, h, [8, 8]);
        var precious = Path.Combine(dir, "precious.txt");
        File.WriteAllText(precious, "not a report");
        string[] layer = ["layer", "--weight", wp, "--hessian", hp, "--method", "magnitude"];
        var before = FileSnapshot.Of(_root);

        CliRun.AssertOneLineError(await CliRun.Run([.. layer, "--out", wp, "--force"]), "is the input", wp);
        CliRun.AssertOneLineError(await CliRun.Run([.. layer, "--out", Path.Combine(dir, ".", "..", "layer", "H.npy"), "--force"]), "is the input");
        CliRun.AssertOneLineError(await CliRun.Run([.. layer, "--out", Path.Combine(dir, "o.npy"), "--report", hp, "--force"]), "--report", "is the input");
        CliRun.AssertOneLineError(await CliRun.Run([.. layer, "--out", Path.Combine(dir, "o.npy"), "--report", precious]), "--report", "exists", precious);
        CliRun.AssertOneLineError(await CliRun.Run([.. layer, "--out", precious]), "--out", "exists");
        var link = Path.Combine(dir, "w-link.npy");
        File.CreateSymbolicLink(link, wp);
        CliRun.AssertOneLineError(await CliRun.Run([.. layer, "--out", link, "--force"]), "is the input");
        File.Delete(link);
        FileSnapshot.AssertUnchanged(before, _root);

        var r = await CliRun.Run([.. layer, "--out", Path.Combine(dir, "o.npy"), "--report", precious, "--force"]);
        Assert.True(r.Code == 0, r.Error);
        Assert.Contains("\"method\"", File.ReadAllText(precious));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp-*"));
    }

    [Fact]
    public async Task EvalJsonAndCompareReportsNeverLandOnAnInput()
    {
        var data = Path.Combine(_root, "stories.txt");
        File.WriteAllText(data, string.Join("<|endoftext|>", Enumerable.Repeat("Once upon a time a cat sat on a mat and was happy.", 8)));
        var before = FileSnapshot.Of(_root);
        CliRun.AssertOneLineError(await CliRun.Run(["eval", "--model", _model, "--seqlen", "8", "--dataset", $"tinystories={data}", "--json", data, "--force"]),
            "--json", "is the input");
        CliRun.AssertOneLineError(await CliRun.Run(["eval", "--model", _model, "--seqlen", "8", "--dataset", $"tinystories={data}",
            "--json", Path.Combine(_model, "config.json"), "--force"]), "--json", "lies inside the input");

        var outDir = Path.Combine(_root, "out");
        Assert.Equal(0, (await CliRun.Run(Prune(outDir))).Code);
        before = FileSnapshot.Of(_root);
        CliRun.AssertOneLineError(await CliRun.Run(["compare", outDir, "--html", Path.Combine(outDir, "report.json"), "--force"]), "--html", "lies inside the input");
        CliRun.AssertOneLineError(await CliRun.Run(["compare", outDir, "--svg-dir", outDir, "--force"]), "--svg-dir", "lies inside the input");
        FileSnapshot.AssertUnchanged(before, _root);
    }
}
