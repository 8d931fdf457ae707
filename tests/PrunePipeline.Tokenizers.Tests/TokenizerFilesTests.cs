using System.Text.Json;

namespace PrunePipeline.Tokenizers.Tests;

public sealed class TokenizerFilesTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), $"tokfiles-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, true);
    }

    [Fact]
    public void WrittenTokenizerJsonMatchesLlama2cOnRealText()
    {
        TokenizerFiles.WriteToDirectory(TestPaths.Tok512, dir);
        foreach (var f in new[] { "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.bin" })
            Assert.True(File.Exists(Path.Combine(dir, f)), f);
        Assert.Equal(File.ReadAllBytes(TestPaths.Tok512), File.ReadAllBytes(Path.Combine(dir, "tokenizer.bin")));
        TokenizerFiles.WriteToDirectory(TestPaths.Tok512, dir); // converting twice into one directory must work

        var llama = Llama2cTokenizer.Load(TestPaths.Tok512);
        var hf = HfBpeTokenizer.Load(Path.Combine(dir, "tokenizer.json"));
        Assert.Equal((512, 1, 2), (hf.VocabSize, hf.BosId, hf.EosId));
        var lines = File.ReadLines(TestPaths.TinyStories).Take(2000).Concat(File.ReadLines(TestPaths.WikiText).Take(2000));
        var n = 0;
        foreach (var line in lines)
        {
            Assert.Equal(llama.Encode(line, true), hf.Encode(line, true));
            n++;
        }

        Assert.Equal(4000, n);
        var whole = File.ReadAllText(TestPaths.WikiText)[..200_000];
        Assert.Equal(llama.Encode(whole, true), hf.Encode(whole, true));
    }

    [Fact]
    public void WrittenTokenizerJsonHasHfLlamaLayout()
    {
        TokenizerFiles.WriteToDirectory(TestPaths.Tok512, dir);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "tokenizer.json")));
        var model = doc.RootElement.GetProperty("model");
        Assert.Equal("BPE", model.GetProperty("type").GetString());
        Assert.True(model.GetProperty("byte_fallback").GetBoolean());
        Assert.Equal(512, model.GetProperty("vocab").EnumerateObject().Count());
        Assert.Equal(3, doc.RootElement.GetProperty("added_tokens").GetArrayLength());
        // Every multi-character piece of tok512 has at least one split into two pieces; single characters have none.
        var multi = model.GetProperty("vocab").EnumerateObject().Count(p => p.Value.GetInt32() > 258 && p.Name.Length > 1);
        Assert.True(model.GetProperty("merges").GetArrayLength() >= multi, $"{model.GetProperty("merges").GetArrayLength()} merges, {multi} multi-char pieces");
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "tokenizer_config.json")));
        Assert.True(config.RootElement.GetProperty("add_bos_token").GetBoolean());
    }

    [Fact]
    public void Llama2WrittenTokenizerJsonMatchesOnRandomAndRealText()
    {
        var bin = Path.Combine(TestPaths.Llama2Dir, "tokenizer.bin");
        TokenizerFiles.WriteToDirectory(bin, dir);
        var llama = Llama2cTokenizer.Load(bin);
        var hf = HfBpeTokenizer.Load(Path.Combine(dir, "tokenizer.json"));
        var rng = new Random(3);
        for (var i = 0; i < 1000; i++)
        {
            var text = RandomText.Next(rng, 15);
            Assert.Equal(llama.Encode(text, true), hf.Encode(text, true));
        }

        foreach (var doc in SentencePieceTokenizerTests.ReadC4(100)) Assert.Equal(llama.Encode(doc, true), hf.Encode(doc, true));
    }

    [Fact]
    public void LoadPicksByExtensionAndDirectory()
    {
        Assert.IsType<Llama2cTokenizer>(TokenizerFiles.Load(TestPaths.Tok512));
        Assert.IsType<SentencePieceTokenizer>(TokenizerFiles.Load(TestPaths.Llama2Dir));
        TokenizerFiles.WriteToDirectory(TestPaths.Tok512, dir);
        Assert.IsType<Llama2cTokenizer>(TokenizerFiles.Load(dir));
        Assert.IsType<HfBpeTokenizer>(TokenizerFiles.Load(Path.Combine(dir, "tokenizer.json")));
        File.Delete(Path.Combine(dir, "tokenizer.bin"));
        Assert.IsType<HfBpeTokenizer>(TokenizerFiles.Load(dir));
    }

    [Fact]
    public void MissingTokenizerNamesDirectoryAndCandidates()
    {
        Directory.CreateDirectory(dir);
        var e = Assert.Throws<FileNotFoundException>(() => TokenizerFiles.Load(dir));
        Assert.Contains(dir, e.Message);
        Assert.Contains("tokenizer.model", e.Message);
        Assert.Contains("tokenizer.json", e.Message);
        Assert.Contains("tokenizer.bin", e.Message);
    }
}
