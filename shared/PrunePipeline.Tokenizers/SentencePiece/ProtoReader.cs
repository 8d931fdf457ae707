namespace PrunePipeline.Tokenizers.SentencePiece;

/// <summary>Minimal protobuf wire-format reader (varint, fixed32/64, length-delimited); enough for ModelProto.</summary>
internal ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> data;
    private readonly string where;
    private int pos;

    public ProtoReader(ReadOnlySpan<byte> data, string where)
    {
        this.data = data;
        this.where = where;
    }

    public bool AtEnd => pos >= data.Length;

    /// <summary>Next field: number and wire type (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32).</summary>
    public (int Field, int WireType) ReadTag()
    {
        var tag = ReadVarint();
        var wire = (int)(tag & 7);
        var field = (int)(tag >> 3);
        if (field == 0) Fail("field number 0");
        return (field, wire);
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (pos >= data.Length) Fail("truncated varint");
            var b = data[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }

        Fail("varint longer than 10 bytes");
        return 0;
    }

    public float ReadFloat() => BitConverter.Int32BitsToSingle((int)ReadFixed(4));

    public ReadOnlySpan<byte> ReadBytes()
    {
        var len = ReadVarint();
        if (len > (ulong)(data.Length - pos)) Fail($"length {len} runs past the end");
        var span = data.Slice(pos, (int)len);
        pos += (int)len;
        return span;
    }

    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case 0: ReadVarint(); break;
            case 1: ReadFixed(8); break;
            case 2: ReadBytes(); break;
            case 5: ReadFixed(4); break;
            default: Fail($"unsupported wire type {wireType}"); break;
        }
    }

    private ulong ReadFixed(int size)
    {
        if (pos + size > data.Length) Fail("truncated fixed-width field");
        ulong v = 0;
        for (var i = 0; i < size; i++) v |= (ulong)data[pos + i] << (8 * i);
        pos += size;
        return v;
    }

    private readonly void Fail(string what) =>
        throw new InvalidDataException($"{where}: invalid protobuf at byte {pos}: {what}");
}
