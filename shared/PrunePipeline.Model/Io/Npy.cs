using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace PrunePipeline.Model.Io;

/// <summary>
/// NumPy .npy files (format versions 1.0, 2.0, 3.0): magic "\x93NUMPY", major, minor, header length (uint16 LE for
/// v1, uint32 LE for v2/v3), a Python dict literal {'descr': …, 'fortran_order': …, 'shape': (…)} padded with
/// spaces and a newline so the data starts at a multiple of 64, then the raw C-order data.
/// Reads '&lt;f4' and '&lt;f8' (f8 is narrowed to float32); rejects big-endian, Fortran order and other dtypes with
/// a message naming the file. Writes version 1.0 (2.0 if the header needs it) in float32 or float64.
/// </summary>
public static partial class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads an array of any rank.</summary>
    public static NpyArray Read(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads a 2-D array (rows × cols); anything else is an <see cref="InvalidDataException"/>.</summary>
    public static NpyArray ReadMatrix(string path)
    {
        var a = Read(path);
        if (a.Shape.Length != 2)
            throw new InvalidDataException($"{path}: expected a 2-D array, got shape ({string.Join(", ", a.Shape)}).");
        return a;
    }

    /// <summary>Reads from a stream; <paramref name="name"/> names the source in error messages.</summary>
    public static NpyArray Read(Stream stream, string name)
    {
        var prefix = new byte[8];
        ReadExactly(stream, prefix, name, "the magic string");
        if (!prefix.AsSpan(0, 6).SequenceEqual(Magic)) throw new InvalidDataException($"{name}: not a .npy file (bad magic string).");
        var major = prefix[6];
        int headerLength;
        if (major == 1)
        {
            var len = new byte[2];
            ReadExactly(stream, len, name, "the header length");
            headerLength = len[0] | (len[1] << 8);
        }
        else if (major is 2 or 3)
        {
            var len = new byte[4];
            ReadExactly(stream, len, name, "the header length");
            headerLength = BitConverter.ToInt32(len);
            if (headerLength < 0 || headerLength > 1 << 20) throw new InvalidDataException($"{name}: implausible .npy header length {headerLength}.");
        }
        else
        {
            throw new InvalidDataException($"{name}: unsupported .npy format version {major}.{prefix[7]}.");
        }
        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, name, "the header");
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var (dtype, shape) = ParseHeader(header, name);
        long count = 1;
        foreach (var d in shape) count *= d;
        if (count > Array.MaxLength) throw new InvalidDataException($"{name}: {count} elements is too many for one array.");
        var data = new float[count];
        if (dtype == NpyDtype.Float32)
        {
            ReadExactly(stream, MemoryMarshal.AsBytes(data.AsSpan()), name, "the data");
        }
        else
        {
            var buffer = new double[Math.Min(count, 1 << 16)];
            for (long done = 0; done < count;)
            {
                var n = (int)Math.Min(buffer.Length, count - done);
                ReadExactly(stream, MemoryMarshal.AsBytes(buffer.AsSpan(0, n)), name, "the data");
                for (var i = 0; i < n; i++) data[done + i] = (float)buffer[i];
                done += n;
            }
        }
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("big-endian hosts are not supported.");
        return new NpyArray(data, shape, dtype);
    }

    /// <summary>Writes <paramref name="data"/> (C order) with the given shape as '&lt;f4' or '&lt;f8'.</summary>
    public static void Write(string path, ReadOnlySpan<float> data, int[] shape, NpyDtype dtype = NpyDtype.Float32)
    {
        using var stream = File.Create(path);
        Write(stream, data, shape, dtype);
    }

    public static void Write(Stream stream, ReadOnlySpan<float> data, int[] shape, NpyDtype dtype = NpyDtype.Float32)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"negative dimension in shape ({string.Join(", ", shape)}).");
            count *= d;
        }
        if (count != data.Length) throw new ArgumentException($"shape ({string.Join(", ", shape)}) needs {count} elements, got {data.Length}.");
        var shapeText = shape.Length == 1 ? $"({shape[0]},)" : $"({string.Join(", ", shape)})";
        var dict = $"{{'descr': '{(dtype == NpyDtype.Float32 ? "<f4" : "<f8")}', 'fortran_order': False, 'shape': {shapeText}, }}";
        var version = dict.Length + 10 + 1 > ushort.MaxValue ? 2 : 1;
        var prefixLength = version == 1 ? 10 : 12;
        var total = (prefixLength + dict.Length + 1 + 63) / 64 * 64;
        var header = dict.PadRight(total - prefixLength - 1) + "\n";
        stream.Write(Magic);
        stream.WriteByte((byte)version);
        stream.WriteByte(0);
        if (version == 1) stream.Write(BitConverter.GetBytes((ushort)header.Length));
        else stream.Write(BitConverter.GetBytes(header.Length));
        stream.Write(Encoding.Latin1.GetBytes(header));
        if (dtype == NpyDtype.Float32)
        {
            stream.Write(MemoryMarshal.AsBytes(data));
        }
        else
        {
            var buffer = new double[Math.Min(data.Length, 1 << 16)];
            for (var done = 0; done < data.Length;)
            {
                var n = Math.Min(buffer.Length, data.Length - done);
                for (var i = 0; i < n; i++) buffer[i] = data[done + i];
                stream.Write(MemoryMarshal.AsBytes(buffer.AsSpan(0, n)));
                done += n;
            }
        }
    }

    internal static (NpyDtype Dtype, int[] Shape) ParseHeader(string header, string name)
    {
        var descr = DescrRegex().Match(header);
        if (!descr.Success) throw new InvalidDataException($"{name}: .npy header has no 'descr': {header.Trim()}");
        var d = descr.Groups[1].Value;
        var dtype = d switch
        {
            "<f4" => NpyDtype.Float32,
            "<f8" => NpyDtype.Float64,
            ">f4" or ">f8" => throw new InvalidDataException($"{name}: big-endian dtype '{d}' is not supported; save it little-endian (e.g. a.astype('<f4'))."),
            _ => throw new InvalidDataException($"{name}: dtype '{d}' is not supported; use float32 ('<f4') or float64 ('<f8')."),
        };
        var fortran = FortranRegex().Match(header);
        if (!fortran.Success) throw new InvalidDataException($"{name}: .npy header has no 'fortran_order': {header.Trim()}");
        if (fortran.Groups[1].Value == "True")
            throw new InvalidDataException($"{name}: Fortran-order arrays are not supported; save with np.ascontiguousarray.");
        var shapeMatch = ShapeRegex().Match(header);
        if (!shapeMatch.Success) throw new InvalidDataException($"{name}: .npy header has no 'shape': {header.Trim()}");
        var parts = shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var shape = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            var p = parts[i].TrimEnd('L');
            if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]))
                throw new InvalidDataException($"{name}: bad dimension '{parts[i]}' in the .npy shape.");
        }
        return (dtype, shape);
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string name, string what)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = stream.Read(buffer[read..]);
            if (n == 0) throw new InvalidDataException($"{name}: file ends inside {what} (truncated .npy).");
            read += n;
        }
    }

    [GeneratedRegex(@"['""]descr['""]\s*:\s*['""]([^'""]*)['""]")]
    private static partial Regex DescrRegex();

    [GeneratedRegex(@"['""]fortran_order['""]\s*:\s*(True|False)")]
    private static partial Regex FortranRegex();

    [GeneratedRegex(@"['""]shape['""]\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapeRegex();
}
