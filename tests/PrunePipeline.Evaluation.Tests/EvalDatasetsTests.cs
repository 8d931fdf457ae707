using PrunePipeline.Evaluation.Datasets;
using PrunePipeline.Tokenizers;

namespace PrunePipeline.Evaluation.Tests;

public class EvalDatasetsTests
{
    private static readonly Lazy<Llama2cTokenizer> Tok = new(() => Llama2cTokenizer.Load(TestPaths.Tok512));

    [Fact]
    public void WikiTextJoinFollowsHfRows()
    {
        var text = EvalDatasets.WikiTextJoined(File.ReadAllText(TestPaths.WikiText), out var rows);
        Assert.Equal(4358, rows);
        Assert.Equal(1_294_336, text.Length);
        Assert.Equal("a\n\n\n\n\nb\n", EvalDatasets.WikiTextJoined("a\n \nb\n", out var r));
        Assert.Equal(3, r);
    }

    [Fact]
    public void WikiText2Tok512CountsMatchSection9()
    {
        var ds = EvalDatasets.WikiText2(TestPaths.WikiText, Tok.Value, 512);
        Assert.Equal(815_070, ds.TotalTokens);
        Assert.Equal(1591, ds.Sequences.Count);
        Assert.All(ds.Sequences, s => Assert.Equal(512, s.Length));
        Assert.Equal(Tok.Value.BosId, ds.Sequences[0][0]);
        Assert.Equal(LossAggregation.MeanOfWindowLosses, ds.Aggregation);
        Assert.Contains("one BOS", ds.Convention);
    }

    [Fact]
    public void C4Tok512CountsMatchSection9()
    {
        var ds = EvalDatasets.C4(TestPaths.C4Jsonl, Tok.Value, 512);
        Assert.Equal(1_385_082, ds.TotalTokens);
        Assert.Equal(256, ds.Sequences.Count);
        Assert.All(ds.Sequences, s => Assert.Equal(512, s.Length));
        Assert.Contains("first 1025 of up to 1100 documents", ds.Convention);
    }

    [Fact]
    public void C4WithTooFewTokensSaysSo()
    {
        var path = Path.Combine(Path.GetTempPath(), $"c4-short-{Guid.NewGuid():N}.jsonl");
        File.WriteAllLines(path, File.ReadLines(TestPaths.C4Jsonl).Take(30));
        try
        {
            var ds = EvalDatasets.C4(path, Tok.Value, 512);
            Assert.Equal(ds.TotalTokens / 512, ds.Sequences.Count);
            Assert.True(ds.Sequences.Count < 256);
            Assert.Contains($"only {ds.Sequences.Count} full windows", ds.Convention);
            Assert.Contains("first 30 of up to 1100 documents", ds.Convention);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TinyStoriesTok512CountsMatchSection9()
    {
        var ds = EvalDatasets.TinyStories(TestPaths.TinyStories, Tok.Value, 512);
        Assert.Equal(1000, ds.Sequences.Count);
        Assert.Equal(369_992, ds.PredictedTokens);
        Assert.All(ds.Sequences, s => Assert.Equal(Tok.Value.BosId, s[0]));
        Assert.Equal(LossAggregation.TokenWeighted, ds.Aggregation);
    }

    [Fact]
    public void LoadDispatchesByNameAndRejectsUnknown()
    {
        Assert.Equal("tinystories", EvalDatasets.Load("TinyStories", TestPaths.TinyStories, Tok.Value, 64).Dataset);
        var e = Assert.Throws<ArgumentException>(() => EvalDatasets.Load("ptb", TestPaths.WikiText, Tok.Value, 512));
        Assert.Contains("ptb", e.Message);
        Assert.Contains("wikitext2", e.Message);
        Assert.Throws<FileNotFoundException>(() => EvalDatasets.Load("c4", "/nonexistent/c4.jsonl", Tok.Value, 512));
    }
}
