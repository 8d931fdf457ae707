namespace PrunePipeline.Artifacts.Tests;

/// <summary>A non-seekable stream (like a network body) that hands out its bytes in small, odd-sized pieces.</summary>
internal class ForwardOnlyStream(byte[] bytes) : Stream
{
    int _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        BeforeRead(_position);
        var n = Math.Min(Math.Min(count, 4093), bytes.Length - _position);
        Array.Copy(bytes, _position, buffer, offset, n);
        _position += n;
        return n;
    }

    protected virtual void BeforeRead(int position) { }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
