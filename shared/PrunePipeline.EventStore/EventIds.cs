using System.Security.Cryptography;

namespace PrunePipeline.EventStore;

/// <summary>
/// Deterministic event ids: the i-th event that message <c>causation</c> appends to stream <c>stream</c> always gets
/// the same id, so the unique(id) constraint turns a redelivery into a no-op instead of a second copy.
/// </summary>
public static class EventIds
{
    /// <summary>Name-based UUID (RFC 9562 version 8 layout) from SHA-256(causation ‖ stream ‖ index).</summary>
    public static Guid Derive(Guid causationId, Guid streamId, int index)
    {
        Span<byte> input = stackalloc byte[36];
        causationId.TryWriteBytes(input, bigEndian: true, out _);
        streamId.TryWriteBytes(input[16..], bigEndian: true, out _);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(input[32..], index);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC variant
        return new Guid(hash[..16], bigEndian: true);
    }
}
