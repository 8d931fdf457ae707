using System.Text;
using System.Text.Json;

namespace PrunePipeline.Model.Safetensors;

/// <summary>
/// Encodes the header block of a <c>.safetensors</c> file: an 8-byte little-endian length, then the JSON header
/// (<c>__metadata__</c> first, then each tensor's dtype, shape and data offsets in the given order), padded with
/// spaces so the data section starts 8-byte aligned, as the reference implementation writes it. Every writer of the
/// format (checkpoints, mask files) uses this one encoder so they cannot drift apart.
/// </summary>
public static class SafetensorsHeader
{
    /// <summary>A tensor to declare: its name, dtype string (F32, F16, BF16, U8), shape and size in bytes.</summary>
    public readonly record struct Entry(string Name, string DType, long[] Shape, long Bytes);

    /// <summary>The header block; tensor data follows it contiguously in the order of <paramref name="tensors"/>.</summary>
    public static byte[] Encode(IReadOnlyList<Entry> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        var header = new Dictionary<string, object>(StringComparer.Ordinal) { ["__metadata__"] = metadata };
        long offset = 0;
        foreach (var t in tensors)
        {
            header[t.Name] = new { dtype = t.DType, shape = t.Shape, data_offsets = new[] { offset, offset + t.Bytes } };
            offset += t.Bytes;
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        var padded = (json.Length + 7) / 8 * 8;
        var block = new byte[8 + padded];
        BitConverter.TryWriteBytes(block.AsSpan(0, 8), (ulong)padded);
        json.CopyTo(block, 8);
        block.AsSpan(8 + json.Length).Fill((byte)' ');
        return block;
    }
}
