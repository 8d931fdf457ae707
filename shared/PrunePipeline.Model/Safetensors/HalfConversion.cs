using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace PrunePipeline.Model.Safetensors;

/// <summary>Little-endian 16-bit float decoding/encoding (IEEE half and bfloat16) to and from fp32.</summary>
public static class HalfConversion
{
    /// <summary>dst[i] = (float)half(src[2i..2i+2]) — IEEE 754 binary16, little-endian.</summary>
    public static void F16ToSingle(ReadOnlySpan<byte> src, Span<float> dst)
    {
        Check(src, dst);
        TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(src[..(dst.Length * 2)]), dst);
    }

    /// <summary>dst[i] = bits(src[i]) &lt;&lt; 16 — bfloat16 is the top half of an fp32.</summary>
    public static void BF16ToSingle(ReadOnlySpan<byte> src, Span<float> dst)
    {
        Check(src, dst);
        var bits = MemoryMarshal.Cast<byte, ushort>(src[..(dst.Length * 2)]);
        var outBits = MemoryMarshal.Cast<float, uint>(dst);
        for (var i = 0; i < bits.Length; i++) outBits[i] = (uint)bits[i] << 16;
    }

    /// <summary>fp32 → bfloat16 with round-to-nearest-even (NaN kept quiet).</summary>
    public static ushort SingleToBF16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x40);
        var rounding = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }

    private static void Check(ReadOnlySpan<byte> src, Span<float> dst)
    {
        if (src.Length < dst.Length * 2)
            throw new ArgumentException($"source has {src.Length} bytes, needs {dst.Length * 2}", nameof(src));
    }
}
