using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text.Json;
using PrunePipeline.Errors;

namespace PrunePipeline.Model.Safetensors;

/// <summary>
/// One memory-mapped <c>.safetensors</c> file. Opening parses only the header; <see cref="Read(string)"/> copies one
/// tensor out of the mapping (converting F16/BF16 to fp32), so a caller holds in memory only what it asked for.
/// Layout: u64 little-endian header length N, N bytes of JSON header, then the data section.
/// </summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _base;
    private readonly long _dataStart;
    private readonly Dictionary<string, TensorInfo> _tensors;
    private bool _disposed;
    private bool _pointerAcquired;

    private SafetensorsFile(string path, long length)
    {
        Path = path;
        if (length < 8) throw new InvalidDataException($"{path}: truncated safetensors file ({length} bytes, the header length alone needs 8)");
        // An empty mapping is not allowed, but a valid file is never empty, so the length check above covers it.
        _map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        try
        {
            _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* p = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            _pointerAcquired = true;
            _base = p + _view.PointerOffset;
            var headerLength = *(ulong*)_base;
            if (headerLength > (ulong)(length - 8) || headerLength > int.MaxValue)
                throw new InvalidDataException($"{path}: bad safetensors header: header length {headerLength} exceeds the file size {length} (truncated or not a safetensors file)");
            _dataStart = 8 + (long)headerLength;
            var header = new ReadOnlySpan<byte>(_base + 8, (int)headerLength);
            _tensors = ParseHeader(path, header, length - _dataStart, out var metadata);
            Metadata = metadata;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The file path.</summary>
    public string Path { get; }

    /// <summary>The <c>__metadata__</c> entries (empty if none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>All tensors, by name.</summary>
    public IReadOnlyDictionary<string, TensorInfo> Tensors => _tensors;

    /// <summary>Opens and validates the header of <paramref name="path"/>.</summary>
    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"safetensors file not found: {path}", path);
        var length = new FileInfo(path).Length;
        var file = new SafetensorsFile(path, length);
        return file;
    }

    /// <summary>Reads tensor <paramref name="name"/> as a new fp32 array.</summary>
    public float[] Read(string name)
    {
        var info = Info(name);
        var result = new float[checked((int)info.ElementCount)];
        ReadInto(info, result);
        return result;
    }

    /// <summary>
    /// Reads tensor <paramref name="name"/> into a new CPU torch tensor in its STORED dtype (F32, F16 or BF16: a
    /// half-precision checkpoint stays half size in memory until a block is computed).
    /// </summary>
    public TorchSharp.torch.Tensor ReadTensor(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var info = Info(name);
        var dtype = info.DType switch
        {
            SafetensorsDType.F32 => TorchSharp.torch.ScalarType.Float32,
            SafetensorsDType.F16 => TorchSharp.torch.ScalarType.Float16,
            SafetensorsDType.BF16 => TorchSharp.torch.ScalarType.BFloat16,
            _ => throw new NotSupportedException($"tensor '{info.Name}' in {Path} has dtype {info.DType}; supported: F32, F16, BF16"),
        };
        PrunePipeline.Tensors.TorchRuntime.Initialize();
        var tensor = TorchSharp.torch.empty(info.Shape.ToArray(), dtype);
        new ReadOnlySpan<byte>(_base + _dataStart + info.Begin, checked((int)(info.End - info.Begin))).CopyTo(tensor.bytes);
        MappedPages.Release(_base + _dataStart + info.Begin, info.End - info.Begin);
        return tensor;
    }

    /// <summary>Reads tensor <paramref name="name"/> into <paramref name="destination"/> (exactly its element count).</summary>
    public void ReadInto(string name, Span<float> destination) => ReadInto(Info(name), destination);

    /// <summary>The header entry of <paramref name="name"/>; throws naming the tensor and the file when absent.</summary>
    public TensorInfo Info(string name) =>
        _tensors.TryGetValue(name, out var info) ? info : throw new InvalidDataException($"tensor '{name}' not found in {Path}");

    private void ReadInto(TensorInfo info, Span<float> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (destination.Length != info.ElementCount)
            throw new ArgumentException($"tensor '{info.Name}' has {info.ElementCount} elements, destination {destination.Length}", nameof(destination));
        var bytes = new ReadOnlySpan<byte>(_base + _dataStart + info.Begin, checked((int)(info.End - info.Begin)));
        switch (info.DType)
        {
            case SafetensorsDType.F32:
                bytes.CopyTo(MemoryMarshal.AsBytes(destination));
                break;
            case SafetensorsDType.F16:
                HalfConversion.F16ToSingle(bytes, destination);
                break;
            case SafetensorsDType.BF16:
                HalfConversion.BF16ToSingle(bytes, destination);
                break;
            default:
                throw new UnsupportedInputException($"tensor '{info.Name}' in {Path} has dtype {info.DType}; supported: F32, F16, BF16");
        }
        MappedPages.Release(_base + _dataStart + info.Begin, info.End - info.Begin);
    }

    private static Dictionary<string, TensorInfo> ParseHeader(string path, ReadOnlySpan<byte> header, long dataLength,
        out IReadOnlyDictionary<string, string> metadata)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(StrictUtf8.Decode(header, path, "safetensors header").TrimEnd(' ', '\0'));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: bad safetensors header: not valid JSON ({e.Message})");
        }
        using var _ = doc;
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{path}: bad safetensors header: expected a JSON object");
        var tensors = new Dictionary<string, TensorInfo>(StringComparer.Ordinal);
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var prop in doc.RootElement.EnumerateObject())
        {
            if (prop.Name == "__metadata__")
            {
                if (prop.Value.ValueKind == JsonValueKind.Object)
                    foreach (var m in prop.Value.EnumerateObject()) meta[m.Name] = m.Value.ToString();
                continue;
            }
            if (!tensors.TryAdd(prop.Name, ParseEntry(path, prop, dataLength)))
                throw new InvalidDataException($"{path}: bad safetensors header: tensor '{prop.Name}' appears twice");
        }
        CheckTiling(path, tensors.Values, dataLength);
        metadata = meta;
        return tensors;
    }

    /// <summary>
    /// The safetensors rule: the tensors' byte ranges tile the data section exactly — sorted by begin, each starts where
    /// the previous ended, the first at 0, the last at the end of the file. Overlapping tensors (one tensor's bytes read
    /// as another's), holes and trailing bytes are refused.
    /// </summary>
    private static void CheckTiling(string path, IEnumerable<TensorInfo> tensors, long dataLength)
    {
        long expected = 0;
        TensorInfo? previous = null;
        foreach (var t in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            if (t.Begin != expected)
                throw new InvalidDataException(t.Begin < expected
                    ? $"{path}: bad safetensors header: tensor '{t.Name}' (data bytes {t.Begin}..{t.End}) overlaps tensor '{previous!.Name}' (bytes {previous.Begin}..{previous.End})"
                    : $"{path}: bad safetensors header: {t.Begin - expected} unused data bytes before tensor '{t.Name}' (data bytes {expected}..{t.Begin})");
            expected = t.End;
            previous = t;
        }
        if (expected != dataLength)
            throw new InvalidDataException($"{path}: bad safetensors file: the tensors end at data byte {expected} but the data section has {dataLength} bytes");
    }

    private static TensorInfo ParseEntry(string path, JsonProperty prop, long dataLength)
    {
        string Bad(string what) => $"{path}: bad safetensors header for tensor '{prop.Name}': {what}";
        var v = prop.Value;
        if (v.ValueKind != JsonValueKind.Object ||
            !v.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String ||
            !v.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array ||
            !v.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw new InvalidDataException(Bad("needs dtype, shape and data_offsets [begin, end]"));
        var dtype = dt.GetString()!;
        var shape = sh.EnumerateArray().Select(e => e.TryGetInt64(out var d) && d >= 0 ? d : throw new InvalidDataException(Bad("shape must be non-negative integers"))).ToArray();
        if (!off[0].TryGetInt64(out var begin) || !off[1].TryGetInt64(out var end) || begin < 0 || end < begin)
            throw new InvalidDataException(Bad("data_offsets must be 0 <= begin <= end"));
        var size = SafetensorsDType.SpecElementSize(dtype) ?? throw new InvalidDataException(Bad($"unknown dtype '{dtype}'"));
        long count = 1, bytes;
        try
        {
            foreach (var d in shape) count = checked(count * d);
            bytes = checked(count * size);
        }
        catch (OverflowException)
        {
            throw new InvalidDataException(Bad($"shape [{string.Join(", ", shape)}] has more elements or bytes than fit in 64 bits"));
        }
        if (count > Array.MaxLength)
            throw new InvalidDataException(Bad($"shape [{string.Join(", ", shape)}] has {count} elements, more than one array can hold ({Array.MaxLength})"));
        if (bytes != end - begin)
            throw new InvalidDataException(Bad($"shape [{string.Join(", ", shape)}] × {size} bytes ≠ {end - begin} bytes of data"));
        if (end > dataLength)
            throw new InvalidDataException($"{path}: truncated safetensors file: tensor '{prop.Name}' ends at data byte {end} but the data section has {dataLength} bytes");
        return new TensorInfo(prop.Name, dtype, shape, begin, end, path);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_view is not null)
        {
            if (_pointerAcquired) _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _map?.Dispose();
    }
}
