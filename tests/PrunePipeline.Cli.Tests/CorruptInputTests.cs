using System.IO.Compression;
using System.Text;
using PrunePipeline.Model.Io;

namespace PrunePipeline.Cli.Tests;

/// <summary>Issue 9 part 2: corrupt input is refused with exit 1 and a one-line message naming the file and where;
/// nothing is written.</summary>
public sealed class CorruptInputTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("prune-corrupt-").FullName;
    private readonly string _model;

    public CorruptInputTests()
    {
        _model = Path.Combine(_root, "model");
        CliRun.ConvertStories(_model);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string Lines(int n) =>
        string.Concat(Enumerable.Range(0, n).Select(i => $"{{\"text\": \"Once upon a time a bird number {i} flew over the big green hill to find food.\"}}\n"));

    private string[] Prune(string calib, string outDir, params string[] extra) =>
        ["prune", "--model", _model, "--method", "wanda", "--calib", calib, "--nsamples", "2", "--seqlen", "16", "--no-dense-eval", "--out", outDir, .. extra];

    private async Task AssertRefused(string[] args, string outDir, params string[] fragments)
    {
        var before = FileSnapshot.Of(_root);
        CliRun.AssertOneLineError(await CliRun.Run(args), fragments);
        Assert.False(Directory.Exists(outDir));
        Assert.Empty(Directory.GetFileSystemEntries(_root, $".{Path.GetFileName(outDir)}.tmp-*"));
        FileSnapshot.AssertUnchanged(before, _root);
    }

    [Fact]
    public async Task TruncatedGzipCalibrationIsRefused()
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(Encoding.UTF8.GetBytes(Lines(3000)));
        var full = ms.ToArray();
        var outDir = Path.Combine(_root, "out");
        foreach (var (name, bytes) in new[] { ("no-trailer.jsonl.gz", full[..^8]), ("cut.jsonl.gz", full[..(full.Length / 2)]) })
        {
            var path = Path.Combine(_root, name);
            File.WriteAllBytes(path, bytes);
            await AssertRefused(Prune(path, outDir), outDir, path, "truncated");
        }
        // the intact file works (the check is not refusing everything)
        var ok = Path.Combine(_root, "ok.jsonl.gz");
        File.WriteAllBytes(ok, full);
        var r = await CliRun.Run(Prune(ok, outDir));
        Assert.True(r.Code == 0, r.Error);
    }

    [Fact]
    public async Task NonUtf8TextIsRefusedNamingFileAndLine()
    {
        var outDir = Path.Combine(_root, "out");
        var txt = Path.Combine(_root, "stories.txt");
        File.WriteAllBytes(txt, [.. Encoding.UTF8.GetBytes("A story.<|endoftext|>Another story\n"), .. "caf"u8, 0xE9, .. " (latin-1)\n"u8]);
        await AssertRefused(Prune(txt, outDir), outDir, txt, "line 2, column 4", "invalid UTF-8");
        var jsonl = Path.Combine(_root, "c4.jsonl");
        File.WriteAllBytes(jsonl, [.. Encoding.UTF8.GetBytes(Lines(5)), .. "{\"text\": \"caf"u8, 0xE9, .. "\"}\n"u8]);
        await AssertRefused(Prune(jsonl, outDir), outDir, jsonl, "line 6", "invalid UTF-8");
        // evaluation data too
        var calib = Path.Combine(_root, "calib.jsonl");
        File.WriteAllText(calib, Lines(10));
        await AssertRefused(Prune(calib, outDir, "--eval", $"tinystories={txt}"), outDir, txt, "line 2");
    }

    [Fact]
    public async Task BetaOfOneOrLessIsRefusedByPruneAndLayer()
    {
        var outDir = Path.Combine(_root, "out");
        var calib = Path.Combine(_root, "calib.jsonl");
        File.WriteAllText(calib, Lines(10));
        foreach (var beta in new[] { "1", "0.5" })
            await AssertRefused(Prune(calib, outDir, "--method", "prox", "--beta", beta), outDir, "beta", $"got {beta}", "> 1");

        var w = Path.Combine(_root, "W.npy");
        var h = Path.Combine(_root, "H.npy");
        Npy.Write(w, new float[32], [4, 8]);
        var hv = new float[64];
        for (var i = 0; i < 8; i++) hv[i * 8 + i] = 1;
        Npy.Write(h, hv, [8, 8]);
        var o = Path.Combine(_root, "o.npy");
        var before = FileSnapshot.Of(_root);
        CliRun.AssertOneLineError(await CliRun.Run("layer", "--weight", w, "--hessian", h, "--method", "prox", "--beta", "1", "--out", o), "beta", "got 1");
        FileSnapshot.AssertUnchanged(before, _root);
    }
}
