using PrunePipeline.Tokenizers.SentencePiece;

namespace PrunePipeline.Tokenizers.Tests;

public class SentencePieceTokenizerTests
{
    private static readonly Lazy<SentencePieceTokenizer> Sp = new(() => SentencePieceTokenizer.Load(Path.Combine(TestPaths.Llama2Dir, "tokenizer.model")));
    private static readonly Lazy<Llama2cTokenizer> Bin = new(() => Llama2cTokenizer.Load(Path.Combine(TestPaths.Llama2Dir, "tokenizer.bin")));

    [Fact]
    public void ParsesLlama2ModelProto()
    {
        var m = Sp.Value.Model;
        Assert.Equal(32000, m.Pieces.Count);
        Assert.Equal(SentencePieceModel.Bpe, m.ModelType);
        Assert.True(m.ByteFallback);
        Assert.True(m.AddDummyPrefix);
        Assert.False(m.RemoveExtraWhitespaces);
        Assert.True(m.EscapeWhitespaces);
        Assert.Equal((0, 1, 2), (m.UnkId, m.BosId, m.EosId));
        Assert.Equal(("<unk>", PieceType.Unknown), (m.Pieces[0], m.Types[0]));
        Assert.Equal(("<s>", PieceType.Control), (m.Pieces[1], m.Types[1]));
        Assert.Equal(("<0x0A>", PieceType.Byte), (m.Pieces[13], m.Types[13]));
        Assert.Equal(PieceType.Normal, m.Types[259]);
    }

    [Fact]
    public void WikiText2GivesTheSameIdsAsTheLlama2cExport()
    {
        var text = File.ReadAllText(TestPaths.WikiText);
        Assert.Equal(Bin.Value.Encode(text, true), Sp.Value.Encode(text, true));
    }

    [Fact]
    public void C4GivesTheSameIdsAsTheLlama2cExport()
    {
        var docs = ReadC4(200);
        Assert.Equal(200, docs.Count);
        Assert.Equal(Bin.Value.Encode(string.Join(" ", docs), true), Sp.Value.Encode(string.Join(" ", docs), true));
        foreach (var doc in docs.Take(50)) Assert.Equal(Bin.Value.Encode(doc, false), Sp.Value.Encode(doc, false));
    }

    [Fact]
    public void RandomStringsGiveTheSameIdsAsTheLlama2cExport()
    {
        var rng = new Random(7);
        for (var i = 0; i < 2000; i++)
        {
            var text = RandomText.Next(rng, 15);
            Assert.Equal(Bin.Value.Encode(text, i % 2 == 0), Sp.Value.Encode(text, i % 2 == 0));
        }
    }

    [Fact]
    public void DecodeDropsSpecialsAndDummyPrefix()
    {
        var text = "Hello  world\n日本語 😀";
        Assert.Equal(text, Sp.Value.Decode(Sp.Value.Encode(text, true)));
        Assert.Equal(text, Sp.Value.Decode([.. Sp.Value.Encode(text, true), Sp.Value.EosId]));
    }

    [Fact]
    public void GarbageIsAClearError()
    {
        var e = Assert.Throws<InvalidDataException>(() => SentencePieceModel.Parse([0x0A, 0xFF, 0xFF, 0xFF, 0x7F], "bad.model"));
        Assert.Contains("bad.model", e.Message);
    }

    internal static List<string> ReadC4(int count) =>
        File.ReadLines(TestPaths.C4Jsonl).Take(count)
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()!).ToList();
}
