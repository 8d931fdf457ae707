using System.Diagnostics;
using System.Text.Json;
using PrunePipeline.Tokenizers;

namespace PrunePipeline.Cli.Tests;

/// <summary>
/// prunectl tokenize as a user runs it (a child process, so stdout is the real one), against the reference ids in
/// ../shared/models/tokenizers/vectors.json and against the tokenizer that calibration and evaluation load.
/// </summary>
public sealed class TokenizeVerbTests : IDisposable
{
    readonly string temp = Directory.CreateTempSubdirectory("pp-tokenize").FullName;

    public void Dispose() => Directory.Delete(temp, true);

    static async Task<(int Code, string Out, string Err)> Prunectl(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "prunectl.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout, await stderr);
    }

    static (string Text, int[] Ids) Vector(string family, int index)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(RepoPaths.Shared("models", "tokenizers", "vectors.json")));
        var v = doc.RootElement.GetProperty("texts").GetProperty(family)[index];
        return (v.GetProperty("text").GetString()!, v.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray());
    }

    [Fact]
    public async Task Json_output_gives_the_reference_ids_and_pieces_for_llama3()
    {
        var (text, expected) = Vector("llama3", 3); // "The quick brown fox …"
        var dir = RepoPaths.Shared("models", "tokenizers", "llama3");
        var (code, stdout, stderr) = await Prunectl("tokenize", "--tokenizer", dir, "--text", text, "--json", "--no-special");
        Assert.True(code == 0, stderr);
        var json = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(expected, json.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(expected.Length, json.GetProperty("count").GetInt32());
        var pieces = json.GetProperty("pieces").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Equal("The", pieces[0]);
        Assert.Equal("Ġquick", pieces[1]);

        // Without --no-special the BOS named by tokenizer_config.json comes first, as in calibration and evaluation.
        (code, stdout, stderr) = await Prunectl("tokenize", "--tokenizer", Path.Combine(dir, "tokenizer.json"), "--text", text, "--json");
        Assert.True(code == 0, stderr);
        var tok = TokenizerFiles.Load(dir);
        Assert.Equal(tok.Encode(text, addBos: true), JsonDocument.Parse(stdout).RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(tok.BosId, JsonDocument.Parse(stdout).RootElement.GetProperty("ids")[0].GetInt32());
    }

    [Fact]
    public async Task A_model_directory_and_a_file_tokenize_like_evaluation_does()
    {
        // The llama2.c tokenizer a converted stories260K model carries: the SentencePiece-style path, not ML.Tokenizers.
        var model = Path.Combine(temp, "model");
        TokenizerFiles.WriteToDirectory(RepoPaths.Shared("models", "stories260K", "tok512.bin"), model);
        var text = "Once upon a time, there was a little dog.\nIt liked to play.";
        var file = Path.Combine(temp, "story.txt");
        await File.WriteAllTextAsync(file, text);
        var (code, stdout, stderr) = await Prunectl("tokenize", "--model", model, "--file", file);
        Assert.True(code == 0, stderr);
        var expected = TokenizerFiles.Load(model).Encode(text, addBos: true);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith($"{expected.Length} tokens", lines[0]);
        Assert.Equal(expected, lines.Skip(1).Select(l => int.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])));
    }

    [Fact]
    public async Task Bad_inputs_give_one_clear_line_and_no_stack_trace()
    {
        var (code, _, stderr) = await Prunectl("tokenize", "--text", "x");
        Assert.Equal(2, code);
        Assert.Contains("--model", stderr);

        var bad = Path.Combine(temp, "latin1.txt");
        await File.WriteAllBytesAsync(bad, [0x63, 0x61, 0x66, 0xE9, 0x20, 0x78]); // "café x" in Latin-1
        (code, _, stderr) = await Prunectl("tokenize", "--tokenizer", RepoPaths.Shared("models", "stories260K", "tok512.bin"), "--file", bad);
        Assert.Equal(1, code);
        Assert.Contains(bad, stderr);
        Assert.Contains("UTF-8", stderr);
        Assert.DoesNotContain("   at ", stderr);

        (code, _, stderr) = await Prunectl("tokenize", "--tokenizer", Path.Combine(temp, "nothing.json"), "--text", "x");
        Assert.Equal(1, code);
        Assert.Contains("nothing.json", stderr);
    }
}
