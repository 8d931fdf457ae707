using System.Text;

namespace PrunePipeline.Errors.Tests;

public sealed class StrictUtf8Tests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("prune-utf8-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(byte[] bytes)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void InvalidBytesAreRefusedWithFileLineAndColumn()
    {
        byte[] text = [.. "first line\nsecond é\nab"u8, 0xFF, .. "cd\n"u8];
        var path = Write(text);
        var e = Assert.Throws<CorruptFileException>(() => StrictUtf8.ReadAllText(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 3, column 3", e.Message);
        Assert.Contains("0xFF", e.Message);

        using var stream = new MemoryStream(text);
        var lines = new List<string>();
        var le = Assert.Throws<CorruptFileException>(() => { foreach (var (_, l) in StrictUtf8.ReadLines(stream, path)) lines.Add(l); });
        Assert.Contains("line 3, column 3", le.Message);
        Assert.Equal(["first line", "second é"], lines);
    }

    [Fact]
    public void TruncatedSequenceAtTheEndAndOverlongEncodingsAreRefused()
    {
        Assert.Throws<CorruptFileException>(() => StrictUtf8.ReadAllText(Write([.. "abc"u8, 0xC3])));
        Assert.Throws<CorruptFileException>(() => StrictUtf8.ReadAllText(Write([0xC0, 0xAF]))); // overlong '/'
        Assert.Throws<CorruptFileException>(() => StrictUtf8.Decode([0xED, 0xA0, 0x80], "f", "piece 3")); // surrogate
    }

    [Fact]
    public void ValidTextRoundTripsWithBomAndCrLf()
    {
        var s = "héllo 世界 🙂\r\nline two\n\nlast";
        var path = Write([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(s)]);
        Assert.Equal(s, StrictUtf8.ReadAllText(path));
        using var stream = File.OpenRead(path);
        Assert.Equal([(1, "héllo 世界 🙂"), (2, "line two"), (3, ""), (4, "last")], StrictUtf8.ReadLines(stream, path).ToList());
    }

    [Fact]
    public void LineNumbersStayRightAcrossReadBuffers()
    {
        // Lines long enough that the invalid byte sits in a later 64 KiB read than the start of its line.
        var sb = new StringBuilder();
        for (var i = 0; i < 3000; i++) sb.Append(new string('x', 50)).Append('\n');
        byte[] bytes = [.. Encoding.UTF8.GetBytes(sb.ToString()), .. "ok"u8, 0xFE, .. "\n"u8];
        using var stream = new MemoryStream(bytes);
        var e = Assert.Throws<CorruptFileException>(() => StrictUtf8.ReadLines(stream, "data.jsonl").ToList());
        Assert.Contains("line 3001, column 3", e.Message);
        Assert.Contains($"byte {3000 * 51 + 2}", e.Message);
    }
}
