using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace PrunePipeline.Errors;

/// <summary>
/// UTF-8 decoding that refuses invalid bytes instead of replacing them with U+FFFD (the framework's default, which
/// silently changes what a model is calibrated or evaluated on). Errors are <see cref="CorruptFileException"/>s that
/// name the file, the line and the byte offset.
/// </summary>
public static class StrictUtf8
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    /// <summary>The whole file as text (a leading BOM is skipped).</summary>
    public static string ReadAllText(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var span = bytes.AsSpan();
        var offset = span.StartsWith(Bom) ? Bom.Length : 0;
        return Decode(span[offset..], path, offset, 1);
    }

    /// <summary>Decodes <paramref name="bytes"/>; a failure names <paramref name="path"/> and <paramref name="where"/> (e.g. "piece 17").</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string path, string where)
    {
        var bad = InvalidAt(bytes);
        if (bad >= 0) throw new CorruptFileException(path, $"{where}: invalid UTF-8 at byte {bad} of {bytes.Length}.");
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Lines of a byte stream (split on \n, a trailing \r removed), each decoded strictly; line numbers from 1.</summary>
    public static IEnumerable<(int Line, string Text)> ReadLines(Stream stream, string path)
    {
        var line = new ArrayBufferWriter<byte>(1 << 12);
        var buffer = new byte[1 << 16];
        var lineNo = 0;
        long lineStart = 0, position = 0;
        var first = true;
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            var at = 0;
            if (first && n >= Bom.Length && buffer.AsSpan(0, Bom.Length).SequenceEqual(Bom)) at = Bom.Length;
            first = false;
            position += at;
            lineStart = lineNo == 0 && line.WrittenCount == 0 ? position : lineStart;
            while (at < n)
            {
                var nl = buffer.AsSpan(at, n - at).IndexOf((byte)'\n');
                if (nl < 0)
                {
                    line.Write(buffer.AsSpan(at, n - at));
                    position += n - at;
                    break;
                }
                line.Write(buffer.AsSpan(at, nl));
                position += nl + 1;
                at += nl + 1;
                var text = DecodeLine(line.WrittenSpan, path, lineNo + 1, lineStart);
                line.Clear();
                lineStart = position;
                yield return (++lineNo, text);
            }
        }
        if (line.WrittenCount > 0) yield return (++lineNo, DecodeLine(line.WrittenSpan, path, lineNo, lineStart));
    }

    private static string DecodeLine(ReadOnlySpan<byte> line, string path, int lineNo, long lineStart)
    {
        if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
        return Decode(line, path, lineStart, lineNo);
    }

    /// <summary>Decodes text that starts at <paramref name="startOffset"/> of the file on line <paramref name="startLine"/>.</summary>
    private static string Decode(ReadOnlySpan<byte> bytes, string path, long startOffset, int startLine)
    {
        var bad = InvalidAt(bytes);
        if (bad < 0) return Encoding.UTF8.GetString(bytes);
        var before = bytes[..bad];
        var line = startLine + before.Count((byte)'\n');
        var column = bad - (before.LastIndexOf((byte)'\n') + 1) + 1;
        throw new CorruptFileException(path,
            $"line {line}, column {column} (byte {startOffset + bad}): invalid UTF-8 (byte 0x{bytes[bad]:X2}); the file must be UTF-8 text.");
    }

    /// <summary>Offset of the first invalid UTF-8 sequence, or -1.</summary>
    private static int InvalidAt(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes)) return -1;
        var scratch = ArrayPool<char>.Shared.Rent(4096);
        try
        {
            var done = 0;
            while (true)
            {
                var status = Utf8.ToUtf16(bytes[done..], scratch, out var read, out _, replaceInvalidSequences: false, isFinalBlock: true);
                done += read;
                if (status == OperationStatus.InvalidData) return done;
                if (status == OperationStatus.Done) return -1;
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(scratch);
        }
    }
}
