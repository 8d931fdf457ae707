using PrunePipeline.Model.Safetensors;

namespace PrunePipeline.Workflow.Output;

/// <summary>
/// Streams <c>masks.safetensors</c>: one U8 tensor per pruned weight, named like the weight, shape
/// [rows, ceil(cols/8)], bit-packed by <see cref="MaskPacking"/>. All tensors are declared up front (the header holds
/// every offset) and written in that order, so only one layer's mask is in memory at a time.
/// </summary>
public sealed class MaskFileWriter : IDisposable
{
    private readonly (string Name, int Rows, int Cols)[] _tensors;
    private FileStream? _stream;
    private int _next;

    public MaskFileWriter(string path, IReadOnlyList<(string Name, int Rows, int Cols)> tensors)
    {
        _tensors = [.. tensors];
        var block = SafetensorsHeader.Encode(
            _tensors.Select(t => new SafetensorsHeader.Entry(t.Name, "U8", [t.Rows, MaskPacking.BytesPerRow(t.Cols)],
                (long)t.Rows * MaskPacking.BytesPerRow(t.Cols))).ToList(),
            new Dictionary<string, string> { ["format"] = "prunepipeline-mask", ["encoding"] = "bitpacked-lsb0-rows" });
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        _stream.Write(block);
    }

    /// <summary>Writes the next declared mask (rows×cols, non-zero = kept).</summary>
    public void Write(string name, ReadOnlySpan<byte> mask)
    {
        var (_, rows, cols) = Next(name);
        var packed = new byte[(long)rows * MaskPacking.BytesPerRow(cols)];
        MaskPacking.Pack(mask, packed, rows, cols);
        WritePacked(name, packed);
    }

    /// <summary>Writes the next declared mask, already packed by <see cref="MaskPacking"/>.</summary>
    public void WritePacked(string name, ReadOnlySpan<byte> packed)
    {
        var (_, rows, cols) = Next(name);
        var stream = _stream ?? throw new InvalidOperationException("mask writer is closed.");
        if (packed.Length != (long)rows * MaskPacking.BytesPerRow(cols))
            throw new ArgumentException($"packed mask '{name}' has {packed.Length} bytes, expected {rows}×{MaskPacking.BytesPerRow(cols)}.");
        stream.Write(packed);
        _next++;
    }

    private (string Name, int Rows, int Cols) Next(string name)
    {
        if (_stream is null) throw new InvalidOperationException("mask writer is closed.");
        if (_next >= _tensors.Length) throw new InvalidOperationException($"mask '{name}' was not declared.");
        var t = _tensors[_next];
        if (t.Name != name) throw new InvalidOperationException($"expected mask '{t.Name}' next, got '{name}'.");
        return t;
    }

    /// <summary>Flushes; every declared mask must have been written.</summary>
    public void Complete()
    {
        var stream = _stream ?? throw new InvalidOperationException("mask writer is closed.");
        if (_next != _tensors.Length) throw new InvalidOperationException($"only {_next} of {_tensors.Length} masks written.");
        stream.Flush(true);
        stream.Dispose();
        _stream = null;
    }

    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
    }
}
