using System.IO.Compression;
using System.Text;

namespace PrunePipeline.Errors.Tests;

public sealed class VerifiedGZipStreamTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("prune-gz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Text that compresses to several 64 KiB reads, so member ends fall at arbitrary places in a read.</summary>
    private static byte[] Payload(int seed, int lines)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder();
        for (var i = 0; i < lines; i++) sb.Append($"{{\"text\": \"line {i} {rng.Next()} {new string((char)('a' + rng.Next(26)), rng.Next(1, 40))}\"}}\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static byte[] Gzip(byte[] data)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(data);
        return ms.ToArray();
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] ReadAll(string path)
    {
        using var s = VerifiedGZipStream.OpenMaybeCompressed(path);
        var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    [Fact]
    public void ReadsOneOrSeveralMembersAndPlainFilesExactly()
    {
        var a = Payload(1, 20000);
        var b = Payload(2, 3);
        Assert.Equal(a, ReadAll(Write("one.gz", Gzip(a))));
        Assert.Equal([.. a, .. b, .. a], ReadAll(Write("three.gz", [.. Gzip(a), .. Gzip(b), .. Gzip(a)])));
        Assert.Equal(b, ReadAll(Write("plain.jsonl", b)));
        Assert.Empty(ReadAll(Write("empty.gz", Gzip([]))));
    }

    [Fact]
    public void EveryTruncationIsRefusedNamingTheFile()
    {
        // .NET's GZipStream returns the partial data without an error for all of these.
        var full = Gzip(Payload(3, 20000));
        foreach (var cut in new[] { 1, 4, 8, 9, 100, full.Length / 2, full.Length - 20, full.Length - 11, 12 })
        {
            var path = Write($"cut{cut}.gz", full[..^cut]);
            var e = Assert.Throws<CorruptFileException>(() => ReadAll(path));
            Assert.Equal(path, e.Path);
            Assert.Contains(path, e.Message);
        }
        // cut inside the second member, and right after the first member's deflate data
        var two = Gzip(Payload(4, 5000)).Concat(full).ToArray();
        Assert.Throws<CorruptFileException>(() => ReadAll(Write("second.gz", two[..^1000])));
    }

    [Fact]
    public void WrongCrcLengthOrTrailingGarbageIsRefused()
    {
        var full = Gzip(Payload(5, 2000));
        var crc = (byte[])full.Clone();
        crc[^6] ^= 0x01;
        Assert.Contains("CRC-32/length trailer", Assert.Throws<CorruptFileException>(() => ReadAll(Write("crc.gz", crc))).Message);
        var len = (byte[])full.Clone();
        len[^2] ^= 0x01;
        Assert.Throws<CorruptFileException>(() => ReadAll(Write("len.gz", len)));
        Assert.Throws<CorruptFileException>(() => ReadAll(Write("short-garbage.gz", [.. full, 1, 2, 3])));
        Assert.Contains("not a gzip header", Assert.Throws<CorruptFileException>(() => ReadAll(Write("garbage.gz", [.. full, .. "trailing bytes"u8]))).Message);
    }

    [Fact]
    public void Crc32MatchesTheKnownCheckValue() =>
        // The standard check value of CRC-32/ISO-HDLC for "123456789".
        Assert.Equal(0xCBF43926u, Crc32.Update(0, "123456789"u8));
}
