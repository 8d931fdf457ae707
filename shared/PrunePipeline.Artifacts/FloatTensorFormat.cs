using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace PrunePipeline.Artifacts;

/// <summary>
/// The self-describing float tensor object (little-endian):
/// <code>
/// offset 0   "PPT1"            magic
///        4   uint32 dtype      1 = float32
///        8   uint32 rank
///       12   uint32 reserved   0
///       16   int64 × rank      shape (row-major)
///       ..   32 bytes          SHA-256 of the payload
///       ..   4·Π(shape) bytes  payload
/// </code>
/// The checksum sits in the header so a reader verifies the payload as it streams it, without a trailer.
/// </summary>
internal static class FloatTensorFormat
{
    public const uint DTypeFloat32 = 1;
    public const int MaxRank = 8;
    static ReadOnlySpan<byte> Magic => "PPT1"u8;

    public static byte[] Header(ReadOnlySpan<float> data, ReadOnlySpan<int> shape)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("float artifacts assume a little-endian machine.");
        if (shape.Length == 0 || shape.Length > MaxRank) throw new ArgumentException($"shape must have 1..{MaxRank} dimensions, got {shape.Length}.");
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"shape [{string.Join(", ", shape.ToArray())}] has a negative dimension.");
            count *= d;
        }
        if (count != data.Length)
            throw new ArgumentException($"shape [{string.Join(", ", shape.ToArray())}] holds {count} elements but the data has {data.Length}.");

        var header = new byte[16 + 8 * shape.Length + 32];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), DTypeFloat32);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), (uint)shape.Length);
        for (var i = 0; i < shape.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(16 + 8 * i), shape[i]);
        PayloadHash(data, header.AsSpan(16 + 8 * shape.Length));
        return header;
    }

    // In slices: AsBytes of more than 2³¹ bytes would overflow a span length.
    static void PayloadHash(ReadOnlySpan<float> data, Span<byte> destination)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        const int slice = 1 << 28;
        for (var i = 0; i < data.Length; i += slice)
            hash.AppendData(MemoryMarshal.AsBytes(data.Slice(i, Math.Min(slice, data.Length - i))));
        hash.GetHashAndReset(destination);
    }

    public static async Task<FloatTensor> ReadAsync(Stream stream, string key, CancellationToken ct)
    {
        var fixedPart = new byte[16];
        await ReadExactly(stream, fixedPart, key, "header", ct);
        if (!fixedPart.AsSpan(0, 4).SequenceEqual(Magic)) throw Bad(key, "it does not start with the float tensor magic 'PPT1'");
        var dtype = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart.AsSpan(4));
        if (dtype != DTypeFloat32) throw Bad(key, $"dtype code {dtype} is not float32 (1)");
        var rank = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart.AsSpan(8));
        if (rank == 0 || rank > MaxRank) throw Bad(key, $"rank {rank} is outside 1..{MaxRank}");

        var rest = new byte[8 * rank + 32];
        await ReadExactly(stream, rest, key, "header", ct);
        var shape = new int[rank];
        long count = 1;
        for (var i = 0; i < rank; i++)
        {
            var d = BinaryPrimitives.ReadInt64LittleEndian(rest.AsSpan(8 * i));
            if (d < 0 || d > int.MaxValue) throw Bad(key, $"dimension {i} is {d}");
            shape[i] = (int)d;
            count *= d;
            if (count > Array.MaxLength) throw Bad(key, $"shape holds more than {Array.MaxLength} elements");
        }
        var expectedHash = rest.AsSpan(8 * (int)rank, 32).ToArray();

        var data = new float[count];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long offset = 0, total = count * sizeof(float);
        while (offset < total)
        {
            var want = (int)Math.Min(buffer.Length, total - offset);
            await ReadExactly(stream, buffer.AsMemory(0, want), key, "payload", ct);
            hash.AppendData(buffer, 0, want);
            // want and offset are multiples of 4 (the buffer and the payload are), so whole floats are copied.
            MemoryMarshal.Cast<byte, float>(buffer.AsSpan(0, want)).CopyTo(data.AsSpan((int)(offset / sizeof(float))));
            offset += want;
        }
        if (!hash.GetHashAndReset().AsSpan().SequenceEqual(expectedHash)) throw Bad(key, "its payload does not match the SHA-256 in its header (corrupt or partly written)");
        if (await stream.ReadAsync(new byte[1], ct) != 0) throw Bad(key, "it has bytes after the payload");
        return new FloatTensor(shape, data);
    }

    static async Task ReadExactly(Stream stream, Memory<byte> buffer, string key, string part, CancellationToken ct)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer, ct);
        }
        catch (EndOfStreamException)
        {
            throw Bad(key, $"it ends inside its {part} (truncated)");
        }
    }

    static InvalidDataException Bad(string key, string why) => new($"artifact '{key}' is not a valid float tensor: {why}.");
}
