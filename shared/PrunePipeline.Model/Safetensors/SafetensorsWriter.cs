using System.Runtime.InteropServices;

namespace PrunePipeline.Model.Safetensors;

/// <summary>
/// Streams a <c>.safetensors</c> file tensor by tensor. All names and shapes are declared up front, so the header
/// (with every offset) is written first and each tensor's data follows in declaration order; only one tensor need be
/// in memory at a time. The file is written to <c>path.tmp</c> and renamed on <see cref="Commit"/>, so a crash never
/// leaves a half-written checkpoint under the final name.
/// </summary>
public sealed class SafetensorsWriter : IDisposable
{
    private readonly string _path;
    private readonly string _tempPath;
    private readonly (string Name, long[] Shape)[] _tensors;
    private readonly string _dtype;
    private FileStream? _stream;
    private int _next;
    private bool _committed;

    /// <summary>Declares the tensors (in the order they will be written) and writes the header.</summary>
    /// <param name="dtype">Output dtype: F32 (default), F16 or BF16 (values are rounded to nearest).</param>
    public SafetensorsWriter(string path, IReadOnlyList<(string Name, long[] Shape)> tensors, string dtype = SafetensorsDType.F32,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var size = SafetensorsDType.ElementSize(dtype) ?? throw new NotSupportedException($"cannot write dtype {dtype}; supported: F32, F16, BF16");
        var dup = tensors.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"tensor '{dup.Key}' declared twice", nameof(tensors));
        _path = path;
        _tempPath = path + ".tmp";
        _tensors = [.. tensors];
        _dtype = dtype;

        var headerBlock = SafetensorsHeader.Encode(
            _tensors.Select(t => new SafetensorsHeader.Entry(t.Name, dtype, t.Shape, t.Shape.Aggregate(1L, (a, b) => a * b) * size)).ToList(),
            metadata ?? new Dictionary<string, string> { ["format"] = "pt" });
        _stream = new FileStream(_tempPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        _stream.Write(headerBlock);
    }

    /// <summary>Writes the next declared tensor; <paramref name="name"/> must match the declaration order.</summary>
    public void Write(string name, ReadOnlySpan<float> values)
    {
        var stream = _stream ?? throw new InvalidOperationException("writer is closed");
        if (_next >= _tensors.Length) throw new InvalidOperationException($"tensor '{name}' was not declared (all {_tensors.Length} already written)");
        var (expected, shape) = _tensors[_next];
        if (expected != name) throw new InvalidOperationException($"expected tensor '{expected}' next, got '{name}'");
        var count = shape.Aggregate(1L, (a, b) => a * b);
        if (values.Length != count)
            throw new ArgumentException($"tensor '{name}' has shape [{string.Join(", ", shape)}] = {count} elements, got {values.Length}", nameof(values));
        switch (_dtype)
        {
            case SafetensorsDType.F32:
                stream.Write(MemoryMarshal.AsBytes(values));
                break;
            case SafetensorsDType.F16:
                WriteConverted(stream, values, v => BitConverter.HalfToUInt16Bits((Half)v));
                break;
            default:
                WriteConverted(stream, values, HalfConversion.SingleToBF16);
                break;
        }
        _next++;
    }

    private static void WriteConverted(Stream stream, ReadOnlySpan<float> values, Func<float, ushort> convert)
    {
        var buffer = new ushort[Math.Min(values.Length, 1 << 16)];
        for (var start = 0; start < values.Length; start += buffer.Length)
        {
            var n = Math.Min(buffer.Length, values.Length - start);
            for (var i = 0; i < n; i++) buffer[i] = convert(values[start + i]);
            stream.Write(MemoryMarshal.AsBytes(buffer.AsSpan(0, n)));
        }
    }

    /// <summary>Flushes and renames the file into place; every declared tensor must have been written.</summary>
    public void Commit()
    {
        var stream = _stream ?? throw new InvalidOperationException("writer is closed");
        if (_next != _tensors.Length)
            throw new InvalidOperationException($"only {_next} of {_tensors.Length} tensors written; next expected '{_tensors[_next].Name}'");
        stream.Flush(true);
        stream.Dispose();
        _stream = null;
        File.Move(_tempPath, _path, overwrite: true);
        _committed = true;
    }

    /// <summary>Closes the writer; without <see cref="Commit"/> the temporary file is deleted.</summary>
    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
        if (!_committed && File.Exists(_tempPath)) File.Delete(_tempPath);
    }
}
