using System.Text;
using System.Text.Json;

namespace PrunePipeline.Workflow.Output;

/// <summary>Reads masks.safetensors written by <see cref="MaskFileWriter"/> (tests, compare, the pipeline).</summary>
public static class MaskFileReader
{
    /// <summary>All masks as packed bytes by tensor name, with their logical rows (cols are not stored: 8·bytes/row ≥ cols).</summary>
    public static IReadOnlyDictionary<string, (long Rows, long BytesPerRow, byte[] Packed)> ReadAll(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw new InvalidDataException($"{path} is too short to be a safetensors file.");
        var headerLength = (long)BitConverter.ToUInt64(bytes, 0);
        if (headerLength <= 0 || 8 + headerLength > bytes.Length) throw new InvalidDataException($"{path}: bad header length {headerLength}.");
        using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength));
        var result = new Dictionary<string, (long, long, byte[])>(StringComparer.Ordinal);
        var dataStart = 8 + headerLength;
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Name == "__metadata__") continue;
            var dtype = p.Value.GetProperty("dtype").GetString();
            if (dtype != "U8") throw new InvalidDataException($"{path}: mask '{p.Name}' has dtype {dtype}, expected U8.");
            var shape = p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var off = p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            if (shape.Length != 2 || off[1] - off[0] != shape[0] * shape[1] || dataStart + off[1] > bytes.Length)
                throw new InvalidDataException($"{path}: mask '{p.Name}' has inconsistent shape/offsets.");
            result[p.Name] = (shape[0], shape[1], bytes.AsSpan((int)(dataStart + off[0]), (int)(off[1] - off[0])).ToArray());
        }
        return result;
    }
}
