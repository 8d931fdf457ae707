using System.Runtime.InteropServices;

namespace PrunePipeline.Artifacts.Tests;

public sealed class FloatEncodingStreamTests
{
    [Fact]
    public void Reads_of_any_size_give_header_then_payload_bytes()
    {
        var data = Enumerable.Range(0, 101).Select(i => i * 0.5f - 3f).ToArray();
        var header = FloatTensorFormat.Header(data, [101]);
        var expected = header.Concat(MemoryMarshal.AsBytes(data.AsSpan()).ToArray()).ToArray();
        for (var chunk = 1; chunk <= 9; chunk++)
        {
            using var stream = new FloatEncodingStream(header, data);
            Assert.Equal(expected.Length, stream.Length);
            var got = new List<byte>();
            var buffer = new byte[chunk];
            int n;
            while ((n = stream.Read(buffer, 0, chunk)) > 0) got.AddRange(buffer.AsSpan(0, n).ToArray());
            Assert.Equal(expected, got);
        }
    }

    [Fact]
    public void Seeking_back_rereads_the_same_bytes()
    {
        var data = new[] { 1f, 2f, 3f };
        using var stream = new FloatEncodingStream(FloatTensorFormat.Header(data, [3]), data);
        var first = new byte[stream.Length];
        stream.ReadExactly(first);
        stream.Position = 0;
        var second = new byte[stream.Length];
        stream.ReadExactly(second);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Shape_and_length_must_agree()
    {
        var e = Assert.Throws<ArgumentException>(() => FloatTensorFormat.Header(new float[6], [2, 4]));
        Assert.Contains("[2, 4]", e.Message);
    }
}
