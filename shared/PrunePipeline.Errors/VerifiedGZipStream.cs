using System.Buffers.Binary;
using System.IO.Compression;

namespace PrunePipeline.Errors;

/// <summary>
/// Reads a gzip file (one or more members, RFC 1952) and verifies each member's CRC-32 and length trailer.
/// <para>Why: .NET's GZipStream returns the data decoded so far, without an error, when a file is cut inside a member
/// or just before its trailer; a truncated calibration file would silently calibrate on part of the data. It also
/// accepts trailing garbage, and reports a wrong CRC as "unsupported compression method".</para>
/// <para>How: each member's deflate data is inflated by <see cref="DeflateStream"/>, which does not say where the
/// deflate data ended (it reads ahead). When it reports the end, the 8-byte trailer (CRC-32 and size of what we
/// decoded) must follow somewhere within the bytes it was handed last; we look for exactly those 8 bytes there
/// (a false match has probability 2⁻⁶⁴) and continue after them. No match means a cut or corrupt member.</para>
/// </summary>
public sealed class VerifiedGZipStream : ReadOnlyStream
{
    private const int ChunkSize = 1 << 16;

    private readonly Stream _file;
    private readonly string _path;
    private readonly long _length;
    private DeflateStream? _member;
    private long _memberStart;
    private uint _crc;
    private long _size;
    private long _fedEnd;      // file offset after the last byte handed to the inflater
    private long _fedWindow;   // file offset from which the deflate data may have ended (start of the last two reads)
    private long _lastReadStart;
    private bool _done;

    /// <param name="file">A seekable stream positioned at the first member.</param>
    /// <param name="path">For messages.</param>
    public VerifiedGZipStream(Stream file, string path)
    {
        if (!file.CanSeek) throw new ArgumentException("the gzip stream must be seekable.", nameof(file));
        _file = file;
        _path = path;
        _length = file.Length;
        StartMember(file.Position);
    }

    /// <summary>Opens <paramref name="path"/>: verified gzip when it starts with 1F 8B (whatever its extension), else plain.</summary>
    public static Stream OpenMaybeCompressed(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Span<byte> magic = stackalloc byte[2];
        var read = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return read == 2 && magic[0] == 0x1F && magic[1] == 0x8B ? new VerifiedGZipStream(file, path) : file;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (!_done && buffer.Length > 0)
        {
            int n;
            try
            {
                n = _member!.Read(buffer);
            }
            catch (InvalidDataException e)
            {
                throw Corrupt($"the deflate data of the gzip member at byte {_memberStart} is corrupt ({e.Message})", e);
            }
            if (n > 0)
            {
                _crc = Crc32.Update(_crc, buffer[..n]);
                _size += n;
                return n;
            }
            FinishMember();
        }
        return 0;
    }

    private void StartMember(long start)
    {
        _memberStart = start;
        _file.Position = start;
        var header = new byte[10];
        if (_file.ReadAtLeast(header, 10, throwOnEndOfStream: false) < 10)
            throw Corrupt($"the gzip member at byte {start} is cut inside its header (file truncated?)");
        if (header[0] != 0x1F || header[1] != 0x8B)
            throw Corrupt($"unexpected data at byte {start} after the last gzip member (not a gzip header)");
        if (header[2] != 8) throw Corrupt($"the gzip member at byte {start} uses compression method {header[2]}; only deflate (8) exists");
        var flags = header[3];
        if ((flags & 0xE0) != 0) throw Corrupt($"the gzip member at byte {start} has reserved flag bits set (0x{flags:X2})");
        if ((flags & 0x04) != 0) // FEXTRA
        {
            var xlen = new byte[2];
            ReadHeaderBytes(xlen);
            Skip(BinaryPrimitives.ReadUInt16LittleEndian(xlen));
        }
        if ((flags & 0x08) != 0) SkipZeroTerminated(); // FNAME
        if ((flags & 0x10) != 0) SkipZeroTerminated(); // FCOMMENT
        if ((flags & 0x02) != 0) Skip(2);              // FHCRC
        _crc = 0;
        _size = 0;
        _fedEnd = _fedWindow = _lastReadStart = _file.Position;
        _member = new DeflateStream(new FeedStream(this), CompressionMode.Decompress, leaveOpen: true);
    }

    private void FinishMember()
    {
        _member!.Dispose();
        // The deflate data ended inside the last one or two reads: the trailer starts in [_fedWindow, _fedEnd].
        var windowLength = (int)Math.Min(_fedEnd - _fedWindow + 8, _length - _fedWindow);
        var window = new byte[Math.Max(windowLength, 0)];
        _file.Position = _fedWindow;
        _file.ReadExactly(window);
        Span<byte> trailer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, _crc);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], unchecked((uint)_size));
        var at = window.AsSpan().LastIndexOf(trailer);
        if (at < 0)
            throw Corrupt($"the gzip member at byte {_memberStart} ends without a matching CRC-32/length trailer after {_size} decompressed bytes " +
                          "(the file is truncated or corrupt)");
        var next = _fedWindow + at + 8;
        if (next >= _length)
        {
            _done = true;
            return;
        }
        StartMember(next);
    }

    private void ReadHeaderBytes(Span<byte> into)
    {
        if (_file.ReadAtLeast(into, into.Length, throwOnEndOfStream: false) < into.Length)
            throw Corrupt($"the gzip member at byte {_memberStart} is cut inside its header (file truncated?)");
    }

    private void Skip(int n)
    {
        if (_file.Position + n > _length) throw Corrupt($"the gzip member at byte {_memberStart} is cut inside its header (file truncated?)");
        _file.Position += n;
    }

    private void SkipZeroTerminated()
    {
        int b;
        while ((b = _file.ReadByte()) > 0) { }
        if (b < 0) throw Corrupt($"the gzip member at byte {_memberStart} is cut inside its header (file truncated?)");
    }

    private CorruptFileException Corrupt(string problem, Exception? inner = null) => new(_path, problem, inner);

    /// <summary>What the inflater reads: the file from the current position, remembering which bytes it was given.</summary>
    private int Feed(Span<byte> buffer)
    {
        _file.Position = _fedEnd;
        var n = _file.Read(buffer[..Math.Min(buffer.Length, ChunkSize)]);
        if (n > 0)
        {
            _fedWindow = _lastReadStart;
            _lastReadStart = _fedEnd;
            _fedEnd += n;
        }
        return n;
    }

    private sealed class FeedStream(VerifiedGZipStream owner) : ReadOnlyStream
    {
        public override int Read(byte[] buffer, int offset, int count) => owner.Feed(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer) => owner.Feed(buffer);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _member?.Dispose();
            _file.Dispose();
        }
        base.Dispose(disposing);
    }
}
