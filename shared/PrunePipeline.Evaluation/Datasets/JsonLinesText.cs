using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace PrunePipeline.Evaluation.Datasets;

/// <summary>
/// Streams the <c>text</c> field (or another string field) of a JSON-lines file (one object per line, e.g. C4's <c>{"text":…,"url":…}</c>),
/// plain or gzip (detected by the magic bytes 1F 8B, whatever the extension). Blank lines are skipped. Errors name the
/// file and line.
/// </summary>
public static class JsonLinesText
{
    public static IEnumerable<string> ReadTexts(string path, string field = "text")
    {
        ArgumentException.ThrowIfNullOrEmpty(field);
        if (!File.Exists(path)) throw new FileNotFoundException($"JSON-lines file not found: {path}", path);
        return Enumerate(path, field);
    }

    private static IEnumerable<string> Enumerate(string path, string field)
    {
        using var reader = Open(path);
        var lineNo = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            yield return Text(path, lineNo, line, field);
        }
    }

    private static StreamReader Open(string path)
    {
        Stream stream = File.OpenRead(path);
        var magic = new byte[2];
        var read = stream.Read(magic, 0, 2);
        stream.Position = 0;
        if (read == 2 && magic[0] == 0x1F && magic[1] == 0x8B) stream = new GZipStream(stream, CompressionMode.Decompress);
        return new StreamReader(stream, new UTF8Encoding(false, true), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
    }

    private static string Text(string path, int lineNo, string line, string field)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            var hint = line.TrimStart().StartsWith('[') ? " (this looks like a JSON array; expected JSON lines: one {\"text\": …} object per line)" : "";
            throw new InvalidDataException($"{path}, line {lineNo}: invalid JSON: {e.Message}{hint}", e);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}, line {lineNo}: expected a JSON object with a \"{field}\" field, found {doc.RootElement.ValueKind}");
            if (!doc.RootElement.TryGetProperty(field, out var text) || text.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"{path}, line {lineNo}: the object has no string \"{field}\" field");
            return text.GetString()!;
        }
    }
}
