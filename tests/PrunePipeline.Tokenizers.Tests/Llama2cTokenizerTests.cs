using System.Text;

namespace PrunePipeline.Tokenizers.Tests;

public class Llama2cTokenizerTests
{
    private static readonly Lazy<Llama2cTokenizer> Tok512 = new(() => Llama2cTokenizer.Load(TestPaths.Tok512));
    private static readonly Lazy<Llama2cTokenizer> Tok32k = new(() => Llama2cTokenizer.Load(Path.Combine(TestPaths.Llama2Dir, "tokenizer.bin")));

    [Fact]
    public void ReadsTok512Header()
    {
        var tok = Tok512.Value;
        Assert.Equal(512, tok.VocabSize);
        Assert.Equal(7, tok.MaxTokenLength);
        Assert.Equal("\n<s>\n", tok.Pieces[1]);
        Assert.Equal("\n</s>\n", tok.Pieces[2]);
        Assert.Equal("<0x00>", tok.Pieces[3]);
    }

    [Theory]
    [InlineData(512, 3000, 12)]
    [InlineData(32000, 200, 12)]
    [InlineData(512, 30, 400)]
    public void HeapMergeMatchesNaiveTwinOnRandomStrings(int vocab, int count, int maxParts)
    {
        var tok = vocab == 512 ? Tok512.Value : Tok32k.Value;
        var rng = new Random(vocab + count);
        for (var i = 0; i < count; i++)
        {
            var text = RandomText.Next(rng, maxParts);
            var bos = i % 2 == 0;
            Assert.Equal(NaiveLlama2cEncoder.Encode(tok, text, bos), tok.Encode(text, bos));
        }
    }

    [Fact]
    public void HeapMergeMatchesNaiveTwinOnRealText()
    {
        var lines = File.ReadLines(TestPaths.TinyStories).Take(300).ToList();
        foreach (var line in lines)
            Assert.Equal(NaiveLlama2cEncoder.Encode(Tok512.Value, line, true), Tok512.Value.Encode(line, true));
    }

    [Fact]
    public void EmptyTextHasNoDummyPrefix()
    {
        Assert.Equal([1], Tok512.Value.Encode("", true));
        Assert.Empty(Tok512.Value.Encode("", false));
        var space = Tok512.Value.Encode("a", false)[0];
        Assert.Equal(" ", Tok512.Value.Pieces[space].Substring(0, 1));
    }

    [Fact]
    public void UnknownCharactersFallBackToBytes()
    {
        var ids = Tok512.Value.Encode("日", false);
        var utf8 = Encoding.UTF8.GetBytes("日");
        Assert.Equal(utf8.Select(b => b + 3), ids.Skip(ids.Length - 3));
        Assert.Equal("日", Tok512.Value.Decode(ids));
    }

    [Fact]
    public void DecodeRoundTripsRealText()
    {
        foreach (var line in File.ReadLines(TestPaths.WikiText).Take(400).Where(l => l.Length > 0))
        {
            Assert.Equal(line, Tok512.Value.Decode(Tok512.Value.Encode(line, true)));
            Assert.Equal(line, Tok32k.Value.Decode(Tok32k.Value.Encode(line, true)));
        }
    }

    [Fact]
    public void TruncatedFileIsAClearError()
    {
        var path = Path.Combine(Path.GetTempPath(), $"trunc-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(path, File.ReadAllBytes(TestPaths.Tok512)[..1000]);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => Llama2cTokenizer.Load(path));
            Assert.Contains(path, e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
