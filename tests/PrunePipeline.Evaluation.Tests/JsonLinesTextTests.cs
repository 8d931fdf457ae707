using System.IO.Compression;
using System.Text;
using PrunePipeline.Evaluation.Datasets;

namespace PrunePipeline.Evaluation.Tests;

public sealed class JsonLinesTextTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("jsonl-").FullName;

    public void Dispose() => Directory.Delete(dir, true);

    [Fact]
    public void ReadsTheShippedC4Lines()
    {
        var texts = JsonLinesText.ReadTexts(TestPaths.C4Jsonl).ToList();
        Assert.Equal(1025, texts.Count);
        Assert.StartsWith("The woman who died after falling from a bridge over the A21", texts[0]);
    }

    [Fact]
    public void GzipIsDetectedByMagicBytesWhateverTheName()
    {
        var lines = File.ReadLines(TestPaths.C4Jsonl).Take(20).ToList();
        foreach (var name in new[] { "part.json.gz", "part.json" })
        {
            var path = Path.Combine(dir, name);
            using (var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest))
                gz.Write(Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"));
            Assert.Equal(JsonLinesText.ReadTexts(TestPaths.C4Jsonl).Take(20), JsonLinesText.ReadTexts(path));
        }
    }

    [Fact]
    public void TruncatedJsonArrayIsAClearError()
    {
        var e = Assert.Throws<InvalidDataException>(() => JsonLinesText.ReadTexts(TestPaths.C4TruncatedArray).ToList());
        Assert.Contains(TestPaths.C4TruncatedArray, e.Message);
        Assert.Contains("line 1", e.Message);
        Assert.Contains("JSON array", e.Message);
    }

    [Fact]
    public void MissingTextFieldNamesFileAndLine()
    {
        var path = Path.Combine(dir, "bad.jsonl");
        File.WriteAllText(path, "{\"text\":\"a\"}\n\n{\"url\":\"x\"}\n");
        var e = Assert.Throws<InvalidDataException>(() => JsonLinesText.ReadTexts(path).ToList());
        Assert.Contains(path, e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("\"text\"", e.Message);
        File.WriteAllText(path, "{\"text\":\"a\"}\n{\"text\": \"b\n");
        e = Assert.Throws<InvalidDataException>(() => JsonLinesText.ReadTexts(path).ToList());
        Assert.Contains("line 2", e.Message);
        Assert.Contains("invalid JSON", e.Message);
    }
}
