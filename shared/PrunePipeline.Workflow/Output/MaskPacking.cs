namespace PrunePipeline.Workflow.Output;

/// <summary>
/// Bit-packing of a 0/1 keep-mask (rows × cols, row-major): each row becomes ceil(cols/8) bytes, bit (j mod 8) of
/// byte (j / 8) — least significant bit first — is 1 when weight (r, j) is kept. Rows start on a byte boundary so a
/// row can be decoded alone. This is the layout of every tensor in <c>masks.safetensors</c> (dtype U8, shape
/// [rows, ceil(cols/8)]) and of the pipeline's <c>.mask</c> artifacts.
/// </summary>
public static class MaskPacking
{
    /// <summary>Bytes per packed row.</summary>
    public static int BytesPerRow(int cols) => (cols + 7) / 8;

    /// <summary>Packs <paramref name="mask"/> (rows×cols; non-zero = kept) into <paramref name="packed"/> (rows×BytesPerRow).</summary>
    public static void Pack(ReadOnlySpan<byte> mask, Span<byte> packed, int rows, int cols)
    {
        var bpr = BytesPerRow(cols);
        Check(mask.Length, (long)rows * cols, "mask");
        Check(packed.Length, (long)rows * bpr, "packed");
        for (var r = 0; r < rows; r++)
        {
            var src = mask.Slice(r * cols, cols);
            var dst = packed.Slice(r * bpr, bpr);
            dst.Clear();
            for (var j = 0; j < cols; j++)
                if (src[j] != 0) dst[j >> 3] |= (byte)(1 << (j & 7));
        }
    }

    /// <summary>Packs <paramref name="mask"/> (rows×cols; non-zero = kept) into a new array.</summary>
    public static byte[] Pack(ReadOnlySpan<byte> mask, int rows, int cols)
    {
        var packed = new byte[(long)rows * BytesPerRow(cols)];
        Pack(mask, packed, rows, cols);
        return packed;
    }

    /// <summary>Unpacks into a 0/1 byte mask (rows×cols).</summary>
    public static void Unpack(ReadOnlySpan<byte> packed, Span<byte> mask, int rows, int cols)
    {
        var bpr = BytesPerRow(cols);
        Check(mask.Length, (long)rows * cols, "mask");
        Check(packed.Length, (long)rows * bpr, "packed");
        for (var r = 0; r < rows; r++)
        {
            var src = packed.Slice(r * bpr, bpr);
            var dst = mask.Slice(r * cols, cols);
            for (var j = 0; j < cols; j++) dst[j] = (byte)((src[j >> 3] >> (j & 7)) & 1);
        }
    }

    private static void Check(int length, long needed, string name)
    {
        if (length != needed) throw new ArgumentException($"{name} has {length} elements, expected {needed}.", name);
    }
}
