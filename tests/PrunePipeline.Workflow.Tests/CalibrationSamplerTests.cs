using PrunePipeline.Tokenizers;
using PrunePipeline.Workflow.Calibration;

namespace PrunePipeline.Workflow.Tests;

public class CalibrationSamplerTests
{
    private static readonly Lazy<Llama2cTokenizer> Tok = new(() => Llama2cTokenizer.Load(Shared("models", "stories260K", "tok512.bin")));
    private static readonly Lazy<List<string>> Docs = new(() =>
        File.ReadLines(Shared("data", "c4", "c4-validation.00000-of-00008.first1025.text-only.jsonl")).Take(200)
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()!).ToList());

    [Fact]
    public void RandomWindowIsDeterministicPerSeed()
    {
        var a = CalibrationSampler.RandomWindow(Docs.Value, Tok.Value, 8, 256, seed: 0);
        var b = CalibrationSampler.RandomWindow(Docs.Value, Tok.Value, 8, 256, seed: 0);
        var c = CalibrationSampler.RandomWindow(Docs.Value, Tok.Value, 8, 256, seed: 1);
        Assert.Equal(8, a.Length);
        Assert.All(a, s => Assert.Equal(256, s.Length));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void RandomWindowIsAWindowOfALongEnoughDocument()
    {
        var encoded = Docs.Value.Select(d => Tok.Value.Encode(d, true)).ToList();
        foreach (var sample in CalibrationSampler.RandomWindow(Docs.Value, Tok.Value, 16, 300, seed: 5))
        {
            var found = encoded.Where(e => e.Length > 300).Any(e =>
                Enumerable.Range(0, e.Length - 300).Any(i => e.AsSpan(i, 300).SequenceEqual(sample)));
            Assert.True(found, "sample is not a window of any document with more than seqlen tokens");
        }
    }

    [Fact]
    public void RandomWindowFailsClearlyWhenNoDocumentIsLongEnough()
    {
        var e = Assert.Throws<InvalidDataException>(() => CalibrationSampler.RandomWindow(["short", "tiny text"], Tok.Value, 2, 64, 0));
        Assert.Contains("more than 64 tokens", e.Message);
    }

    [Fact]
    public void PackedIsDeterministicAndSeparatesDocumentsWithEos()
    {
        var a = CalibrationSampler.Packed(Docs.Value, Tok.Value, 16, 512, seed: 3);
        Assert.Equal(a, CalibrationSampler.Packed(Docs.Value, Tok.Value, 16, 512, seed: 3));
        Assert.NotEqual(a, CalibrationSampler.Packed(Docs.Value, Tok.Value, 16, 512, seed: 4));
        Assert.All(a, s => Assert.Equal(512, s.Length));
        var flat = a.SelectMany(s => s).ToList();
        Assert.Equal(Tok.Value.BosId, flat[0]);
        // Every EOS is followed by the next document's BOS.
        for (var i = 0; i + 1 < flat.Count; i++)
            if (flat[i] == Tok.Value.EosId) Assert.Equal(Tok.Value.BosId, flat[i + 1]);
        Assert.Contains(Tok.Value.EosId, flat);
    }

    [Fact]
    public void PackedUsesAllDocumentsInSomeOrder()
    {
        string[] docs = ["one two", "three four five", "six"];
        var total = docs.Sum(d => Tok.Value.Encode(d, true).Length) + docs.Length - 1;
        var packed = CalibrationSampler.Packed(docs, Tok.Value, 1, total, seed: 9)[0];
        var expectedMultiset = docs.SelectMany(d => Tok.Value.Encode(d, true)).Concat(Enumerable.Repeat(Tok.Value.EosId, 2)).Order();
        Assert.Equal(expectedMultiset, packed.Order());
    }

    [Fact]
    public void PackedTooShortSaysHowManyTokens()
    {
        var e = Assert.Throws<InvalidDataException>(() => CalibrationSampler.Packed(["a b c"], Tok.Value, 4, 128, 0));
        Assert.Contains("need 4 × 128 = 512", e.Message);
        Assert.Contains($"give {Tok.Value.Encode("a b c", true).Length} tokens", e.Message);
    }

    [Fact]
    public void SplitMix64MatchesReferenceOutput()
    {
        // Reference values of SplitMix64 seeded with 1234567 (from the published C implementation).
        var rng = new SplitMix64(1234567);
        Assert.Equal(6457827717110365317UL, rng.NextUInt64());
        Assert.Equal(3203168211198807973UL, rng.NextUInt64());
        Assert.Equal(9817491932198370423UL, rng.NextUInt64());
    }

    private static string Shared(params string[] parts) => RepoPaths.Shared(parts);
}
