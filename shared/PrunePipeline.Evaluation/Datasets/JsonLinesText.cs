using System.Text.Json;
using PrunePipeline.Errors;

namespace PrunePipeline.Evaluation.Datasets;

/// <summary>
/// Streams the <c>text</c> field (or another string field) of a JSON-lines file (one object per line, e.g. C4's <c>{"text":…,"url":…}</c>),
/// plain or gzip (detected by the magic bytes 1F 8B, whatever the extension; CRC and length of every member verified,
/// see <see cref="VerifiedGZipStream"/>). Lines are decoded as strict UTF-8. Blank lines are skipped. Errors name the
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
        using var stream = VerifiedGZipStream.OpenMaybeCompressed(path);
        foreach (var (lineNo, line) in StrictUtf8.ReadLines(stream, path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            yield return Text(path, lineNo, line, field);
        }
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
