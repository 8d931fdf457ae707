using System.Text;
using PrunePipeline.Errors;
using PrunePipeline.Model.Safetensors;

namespace PrunePipeline.Model.Tests;

/// <summary>Issue 9: headers that describe impossible data are refused at open, naming the file and the tensor.</summary>
public class SafetensorsValidationTests
{
    private static string WriteRaw(string header, int dataBytes) => WriteRaw(Encoding.UTF8.GetBytes(header), dataBytes);

    private static string WriteRaw(byte[] header, int dataBytes)
    {
        var path = Path.Combine(TestModels.TempDir(), "raw.safetensors");
        using var fs = File.Create(path);
        fs.Write(BitConverter.GetBytes((ulong)header.Length));
        fs.Write(header);
        fs.Write(new byte[dataBytes]);
        return path;
    }

    private static string Refused(string path)
    {
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path).Dispose());
        Assert.Contains(path, e.Message);
        return e.Message;
    }

    [Fact]
    public void OverlappingTensorsAreRefused()
    {
        // "b" lies inside "a": reading b would return a's bytes.
        var msg = Refused(WriteRaw("""{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 16));
        Assert.Contains("'b'", msg);
        Assert.Contains("overlaps tensor 'a'", msg);
        // the same bytes named twice
        Assert.Contains("overlaps", Refused(WriteRaw("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 8)));
    }

    [Fact]
    public void HolesAndTrailingBytesAreRefused()
    {
        Assert.Contains("unused data bytes before tensor 'b'",
            Refused(WriteRaw("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", 12)));
        Assert.Contains("unused data bytes before tensor 'a'", Refused(WriteRaw("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8)));
        Assert.Contains("the data section has 20 bytes", Refused(WriteRaw("""{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 20)));
    }

    [Fact]
    public void ElementCountsThatOverflowAreRefused()
    {
        // 2^32 × 2^32 elements wraps to 0 in 64-bit arithmetic and would match 0 bytes of data.
        Assert.Contains("64 bits", Refused(WriteRaw("""{"x":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}}""", 0)));
        // 2^62 elements × 4 bytes wraps too.
        Assert.Contains("64 bits", Refused(WriteRaw("""{"x":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,0]}}""", 0)));
        Assert.Contains("more than one array can hold", Refused(WriteRaw("""{"x":{"dtype":"U8","shape":[3000000000],"data_offsets":[0,3000000000]}}""", 0)));
    }

    [Fact]
    public void DuplicateNamesAndInvalidUtf8InTheHeaderAreRefused()
    {
        Assert.Contains("appears twice", Refused(WriteRaw("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8)));
        byte[] header = [.. "{\"a"u8, 0xFF, .. "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}"u8];
        var path = WriteRaw(header, 4);
        var e = Assert.Throws<CorruptFileException>(() => SafetensorsFile.Open(path).Dispose());
        Assert.Contains(path, e.Message);
        Assert.Contains("invalid UTF-8", e.Message);
    }

    [Fact]
    public void ZeroSizedTensorsAndExactTilingAreAccepted()
    {
        var path = WriteRaw("""{"e":{"dtype":"F32","shape":[0,3],"data_offsets":[4,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F16","shape":[2],"data_offsets":[4,8]}}""", 8);
        using var f = SafetensorsFile.Open(path);
        Assert.Equal(3, f.Tensors.Count);
    }
}
