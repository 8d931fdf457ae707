using System.Text.Json;

namespace PrunePipeline.Tokenizers.Tests;

/// <summary>
/// Llama-3 and Qwen3 tokenizer.json through ML.Tokenizers against ids from the reference JavaScript tokenizer
/// (../shared/models/tokenizers/vectors.json), plus BOS/EOS from tokenizer_config.json and hostile files.
/// </summary>
public sealed class HfByteLevelBpeTokenizerTests : IDisposable
{
    readonly string dir = Path.Combine(Path.GetTempPath(), "prune-bytelevel-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, true);
    }

    static readonly Lazy<ITokenizer> Llama3 = new(() => TokenizerFiles.Load(TestPaths.ByteLevelDir("llama3")));
    static readonly Lazy<ITokenizer> Qwen3 = new(() => TokenizerFiles.Load(TestPaths.ByteLevelDir("qwen3")));

    static ITokenizer Family(string family) => family == "llama3" ? Llama3.Value : Qwen3.Value;

    public static TheoryData<string, int> Vectors()
    {
        var data = new TheoryData<string, int>();
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.TokenizerVectors));
        foreach (var family in doc.RootElement.GetProperty("texts").EnumerateObject())
            for (var i = 0; i < family.Value.GetArrayLength(); i++) data.Add(family.Name, i);
        return data;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Ids_match_the_reference_tokenizer(string family, int index)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.TokenizerVectors));
        var vector = doc.RootElement.GetProperty("texts").GetProperty(family)[index];
        var text = vector.GetProperty("text").GetString()!;
        var expected = vector.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var tok = Family(family);
        Assert.IsType<HfByteLevelBpeTokenizer>(tok);
        Assert.Equal(expected, tok.Encode(text, addBos: false));
    }

    // The ids named by tokenizer_config.json, looked up in tokenizer.json's added_tokens by the test itself.
    static int AddedTokenId(string family, string field)
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.ByteLevelDir(family), "tokenizer_config.json")));
        var content = config.RootElement.GetProperty(field).GetString();
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.ByteLevelDir(family), "tokenizer.json")));
        return json.RootElement.GetProperty("added_tokens").EnumerateArray()
            .Single(a => a.GetProperty("content").GetString() == content).GetProperty("id").GetInt32();
    }

    [Fact]
    public void Bos_and_eos_come_from_tokenizer_config()
    {
        var llama = Llama3.Value;
        Assert.Equal(AddedTokenId("llama3", "bos_token"), llama.BosId);
        Assert.Equal(AddedTokenId("llama3", "eos_token"), llama.EosId);
        Assert.Equal([llama.BosId, .. llama.Encode("Hello world", false)], llama.Encode("Hello world", true));

        var qwen = Qwen3.Value; // add_bos_token: false, bos_token: null
        Assert.Equal(-1, qwen.BosId);
        Assert.Equal(AddedTokenId("qwen3", "eos_token"), qwen.EosId);
        Assert.Equal(qwen.Encode("Hello world", false), qwen.Encode("Hello world", true));
    }

    [Fact]
    public void Nfc_applies_where_the_file_configures_it()
    {
        const string composed = "caf\u00e9 na\u00efve";
        const string decomposed = "cafe\u0301 nai\u0308ve";
        Assert.Equal(Qwen3.Value.Encode(composed, false), Qwen3.Value.Encode(decomposed, false));
        // Llama-3 has no normalizer: the combining accents are bytes of their own.
        Assert.NotEqual(Llama3.Value.Encode(composed, false), Llama3.Value.Encode(decomposed, false));
    }

    [Theory]
    [InlineData("cafe\u0301", "caf\u00e9")]
    [InlineData("\u212b ngstr\u00f6m", "\u00c5 ngstr\u00f6m")] // ANGSTROM SIGN is a singleton decomposition
    [InlineData("\u1100\u1161", "\uac00")] // Hangul jamo compose
    [InlineData("plain ASCII text", "plain ASCII text")]
    [InlineData("\u6771\u4eac \U0001f916", "\u6771\u4eac \U0001f916")]
    public void Nfc_normalizer_composes_even_under_invariant_globalization(string input, string nfc)
    {
        Assert.Equal(nfc, new NfcNormalizer().Normalize(input));
        Assert.Equal(nfc, new NfcNormalizer().Normalize(input.AsSpan()));
    }

    [Theory]
    [InlineData("llama3")]
    [InlineData("qwen3")]
    public void Decode_inverts_encode_on_real_text(string family)
    {
        var tok = Family(family);
        foreach (var doc in SentencePieceTokenizerTests.ReadC4(50))
        {
            var ids = tok.Encode(doc, addBos: true);
            Assert.All(ids, id => Assert.InRange(id, 0, tok.VocabSize - 1));
            Assert.Equal(family == "qwen3" ? new NfcNormalizer().Normalize(doc) : doc, tok.Decode(ids));
        }
    }

    [Fact]
    public void Pieces_are_the_vocabulary_entries()
    {
        var tok = Llama3.Value;
        var ids = tok.Encode(" Hello world", false);
        Assert.Equal(["ĠHello", "Ġworld"], ids.Select(tok.Piece));
    }

    [Fact]
    public void Sentencepiece_style_tokenizer_json_still_loads_our_way()
    {
        TokenizerFiles.WriteToDirectory(TestPaths.Tok512, dir);
        var hf = TokenizerFiles.Load(Path.Combine(dir, "tokenizer.json"));
        Assert.IsType<HfBpeTokenizer>(hf);
        var reference = Llama2cTokenizer.Load(TestPaths.Tok512);
        foreach (var doc in SentencePieceTokenizerTests.ReadC4(20)) Assert.Equal(reference.Encode(doc, true), hf.Encode(doc, true));
    }

    string CopyFamily(string family, bool withConfig = true)
    {
        Directory.CreateDirectory(dir);
        File.Copy(Path.Combine(TestPaths.ByteLevelDir(family), "tokenizer.json"), Path.Combine(dir, "tokenizer.json"));
        if (withConfig) File.Copy(Path.Combine(TestPaths.ByteLevelDir(family), "tokenizer_config.json"), Path.Combine(dir, "tokenizer_config.json"));
        return Path.Combine(dir, "tokenizer.json");
    }

    [Fact]
    public void A_missing_tokenizer_config_is_named()
    {
        var path = CopyFamily("qwen3", withConfig: false);
        var e = Assert.Throws<FileNotFoundException>(() => TokenizerFiles.Load(path));
        Assert.Contains("tokenizer_config.json", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void An_eos_that_is_not_a_token_is_named()
    {
        CopyFamily("qwen3");
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), "{\"eos_token\": \"<|no-such-token|>\"}");
        var e = Assert.Throws<InvalidDataException>(() => TokenizerFiles.Load(dir));
        Assert.Contains("<|no-such-token|>", e.Message);
        Assert.Contains("eos_token", e.Message);
    }

    [Fact]
    public void An_unsupported_normalizer_or_corrupt_file_is_named()
    {
        var path = CopyFamily("qwen3");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"normalizer\": {\n    \"type\": \"NFC\"", "\"normalizer\": {\n    \"type\": \"NFKD\""));
        var e = Assert.Throws<NotSupportedException>(() => TokenizerFiles.Load(path));
        Assert.Contains("NFKD", e.Message);
        Assert.Contains(path, e.Message);

        File.WriteAllText(path, File.ReadAllText(path)[..5000]);
        var bad = Assert.Throws<InvalidDataException>(() => TokenizerFiles.Load(path));
        Assert.Contains(path, bad.Message);
    }
}
