using System.Runtime.InteropServices;

namespace PrunePipeline.Artifacts;

/// <summary>
/// A read-only, seekable view of header + float payload, so a tensor is uploaded straight from the caller's memory
/// (no copy into a MemoryStream) and S3 gets the content length up front.
/// </summary>
internal sealed class FloatEncodingStream(byte[] header, ReadOnlyMemory<float> data) : Stream
{
    long _position;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => header.Length + (long)data.Length * sizeof(float);

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 && value <= Length ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> destination)
    {
        var written = 0;
        if (_position < header.Length && destination.Length > 0)
        {
            var n = (int)Math.Min(header.Length - _position, destination.Length);
            header.AsSpan((int)_position, n).CopyTo(destination);
            written += n;
            _position += n;
        }
        if (written < destination.Length && _position < Length)
        {
            // Copy whole or partial floats from the payload byte offset; slice floats first (spans of > 2 GiB bytes overflow).
            var byteOffset = _position - header.Length;
            var firstFloat = (int)(byteOffset / sizeof(float));
            var skip = (int)(byteOffset % sizeof(float));
            var floats = Math.Min(data.Length - firstFloat, (destination.Length - written + skip + sizeof(float) - 1) / sizeof(float));
            var bytes = MemoryMarshal.AsBytes(data.Span.Slice(firstFloat, floats))[skip..];
            var n = Math.Min(bytes.Length, destination.Length - written);
            bytes[..n].CopyTo(destination[written..]);
            written += n;
            _position += n;
        }
        return written;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => Length + offset,
    };

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
