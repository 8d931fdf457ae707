using System.IO.Pipelines;
using Minio;
using Minio.DataModel.Args;

namespace PrunePipeline.Artifacts;

/// <summary>
/// The body of a GET, streamed. The MinIO client hands the body only to a callback and closes it when the callback
/// returns, so the callback copies it into a bounded pipe that the caller reads at its own pace (a large tensor is
/// never held whole in memory). A failure of the transfer surfaces as an exception from Read, never as a short read.
/// </summary>
internal sealed class S3ObjectStream : Stream
{
    readonly Stream _reader;
    readonly Task _transfer;
    readonly CancellationTokenSource _cancel;

    S3ObjectStream(Stream reader, Task transfer, CancellationTokenSource cancel)
    {
        _reader = reader;
        _transfer = transfer;
        _cancel = cancel;
    }

    /// <summary>Starts the GET and returns once the object is known to exist (headers received).</summary>
    public static async Task<Stream> OpenAsync(IMinioClient client, string bucket, string key, CancellationToken ct)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20));
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var args = new GetObjectArgs().WithBucket(bucket).WithObject(key).WithCallbackStream(async (body, token) =>
        {
            started.TrySetResult();
            await using var writer = pipe.Writer.AsStream(leaveOpen: true);
            await body.CopyToAsync(writer, 1 << 16, token);
        });
        var transfer = Task.Run(async () =>
        {
            try
            {
                await client.GetObjectAsync(args, cancel.Token);
                await pipe.Writer.CompleteAsync();
            }
            catch (Exception e)
            {
                started.TrySetException(e);
                await pipe.Writer.CompleteAsync(e);
            }
        });
        try
        {
            await started.Task;
        }
        catch
        {
            cancel.Dispose();
            throw;
        }
        return new S3ObjectStream(pipe.Reader.AsStream(), transfer, cancel);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => _reader.Read(buffer, offset, count);
    public override int Read(Span<byte> buffer) => _reader.Read(buffer);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => _reader.ReadAsync(buffer, offset, count, ct);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => _reader.ReadAsync(buffer, ct);

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // A reader that stops early cancels the transfer; completing the reader unblocks a waiting writer.
            _cancel.Cancel();
            _reader.Dispose();
            try
            {
                _transfer.Wait(TimeSpan.FromSeconds(30));
            }
            catch (AggregateException)
            {
                // The transfer's own failure was already reported to the reader, or nobody reads any more.
            }
            _cancel.Dispose();
        }
        base.Dispose(disposing);
    }
}
