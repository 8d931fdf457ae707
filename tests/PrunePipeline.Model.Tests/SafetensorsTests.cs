using PrunePipeline.Errors;
using System.Text;
using PrunePipeline.Model.Safetensors;

namespace PrunePipeline.Model.Tests;

public class SafetensorsTests
{
    private static string WriteFile(IReadOnlyList<(string Name, long[] Shape, float[] Values)> tensors, string dtype = SafetensorsDType.F32)
    {
        var path = Path.Combine(TestModels.TempDir(), "t.safetensors");
        using var w = new SafetensorsWriter(path, tensors.Select(t => (t.Name, t.Shape)).ToList(), dtype);
        foreach (var t in tensors) w.Write(t.Name, t.Values);
        w.Commit();
        return path;
    }

    /// <summary>A file with a hand-written header and raw data bytes.</summary>
    private static string WriteRaw(string header, byte[] data, long? declaredHeaderLength = null)
    {
        var path = Path.Combine(TestModels.TempDir(), "raw.safetensors");
        var h = Encoding.UTF8.GetBytes(header);
        using var fs = File.Create(path);
        fs.Write(BitConverter.GetBytes((ulong)(declaredHeaderLength ?? h.Length)));
        fs.Write(h);
        fs.Write(data);
        return path;
    }

    [Fact]
    public void RoundTrip_F32_PreservesNamesShapesValuesAndMetadata()
    {
        var a = Enumerable.Range(0, 12).Select(i => i * 0.5f - 3).ToArray();
        float[] b = [float.Epsilon, -0f, 1e30f];
        var path = WriteFile([("a", [3, 4], a), ("b.weight", [3], b)]);
        using var f = SafetensorsFile.Open(path);
        Assert.Equal("pt", f.Metadata["format"]);
        Assert.Equal([3L, 4L], f.Tensors["a"].Shape);
        Assert.Equal(a, f.Read("a"));
        Assert.Equal(b, f.Read("b.weight"));
        Assert.False(File.Exists(path + ".tmp"));
        Assert.Equal(0, (new FileInfo(path).Length - 12 * 4 - 3 * 4 - 8) % 8);
    }

    [Fact]
    public void F16_DecodesHandComputedValues()
    {
        // 0x3C00 = 1, 0xC000 = −2, 0x3555 ≈ 0.33325195, 0x7BFF = 65504, 0x0001 = 2^−24 (subnormal).
        ushort[] bits = [0x3C00, 0xC000, 0x3555, 0x7BFF, 0x0001];
        var data = bits.SelectMany(BitConverter.GetBytes).ToArray();
        var path = WriteRaw("{\"x\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[0,10]}}", data);
        using var f = SafetensorsFile.Open(path);
        Assert.Equal([1f, -2f, 0.33325195f, 65504f, MathF.Pow(2, -24)], f.Read("x"));
    }

    [Fact]
    public void BF16_DecodesHandComputedValues()
    {
        // bf16 is the top 16 bits of fp32: 0x3F80 = 1, 0xC0A0 = −5, 0x3E20 = 0.15625, 0x4049 = 3.140625.
        ushort[] bits = [0x3F80, 0xC0A0, 0x3E20, 0x4049];
        var data = bits.SelectMany(BitConverter.GetBytes).ToArray();
        var path = WriteRaw("{\"x\":{\"dtype\":\"BF16\",\"shape\":[2,2],\"data_offsets\":[0,8]}}", data);
        using var f = SafetensorsFile.Open(path);
        Assert.Equal([1f, -5f, 0.15625f, 3.140625f], f.Read("x"));
    }

    [Theory]
    [InlineData(SafetensorsDType.F16)]
    [InlineData(SafetensorsDType.BF16)]
    public void Write_HalfDtypes_RoundsToNearest(string dtype)
    {
        float[] v = [1f, -2.5f, 0.1f, 300.7f];
        var path = WriteFile([("w", [4], v)], dtype);
        using var f = SafetensorsFile.Open(path);
        Assert.Equal(dtype, f.Tensors["w"].DType);
        var back = f.Read("w");
        var ulp = dtype == SafetensorsDType.F16 ? 1.0 / 1024 : 1.0 / 128;
        for (var i = 0; i < v.Length; i++) Assert.True(Math.Abs(back[i] - v[i]) <= Math.Abs(v[i]) * ulp / 2 * 1.0001, $"{v[i]} -> {back[i]}");
    }

    [Fact]
    public void ShardedIndex_ReadsEachTensorFromItsShard()
    {
        var config = TestModels.Config(layers: 2);
        var single = TestModels.WriteRandom(config, 3);
        using var reference = LlamaModel.Open(single);
        // Re-shard: layer 0 + embedding in shard 1, the rest in shard 2.
        var dir = TestModels.TempDir();
        File.Copy(Path.Combine(single, "config.json"), Path.Combine(dir, "config.json"));
        var all = LlamaTensorNames.Expected(config);
        var first = all.Where(t => t.Name.StartsWith("model.layers.0.") || t.Name == LlamaTensorNames.Embedding).ToList();
        var second = all.Except(first).ToList();
        var map = new Dictionary<string, string>();
        foreach (var (shard, list) in new[] { ("model-00001-of-00002.safetensors", first), ("model-00002-of-00002.safetensors", second) })
        {
            using var w = new SafetensorsWriter(Path.Combine(dir, shard), list, SafetensorsDType.BF16);
            foreach (var t in list)
            {
                w.Write(t.Name, reference.ReadTensor(t.Name));
                map[t.Name] = shard;
            }
            w.Commit();
        }
        File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"),
            System.Text.Json.JsonSerializer.Serialize(new { metadata = new { total_size = 0 }, weight_map = map }));
        using var sharded = LlamaModel.Open(dir);
        var name = "model.layers.1.mlp.down_proj.weight";
        Assert.Equal("model-00002-of-00002.safetensors", Path.GetFileName(sharded.TensorInfo(name).File));
        var expected = reference.ReadTensor(name);
        var got = sharded.ReadTensor(name);
        for (var i = 0; i < got.Length; i++) Assert.Equal(expected[i], got[i], Math.Abs(expected[i]) / 128);
        Assert.Equal(all.Count, sharded.TensorNames.Count);
    }

    [Fact]
    public void ShardedIndex_MissingShard_NamesIt()
    {
        var dir = TestModels.TempDir();
        File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"), "{\"weight_map\":{\"a\":\"shard-7.safetensors\"}}");
        var e = Assert.Throws<FileNotFoundException>(() => SafetensorsCheckpoint.Open(dir));
        Assert.Contains("shard-7.safetensors", e.Message);
    }

    [Fact]
    public void TruncatedData_IsNamed()
    {
        var path = WriteRaw("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[10]);
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path));
        Assert.Contains("truncated", e.Message);
        Assert.Contains("'x'", e.Message);
    }

    [Fact]
    public void HeaderLengthBeyondFile_IsBadHeader()
    {
        var path = WriteRaw("{}", [], declaredHeaderLength: 1 << 20);
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path));
        Assert.Contains("bad safetensors header", e.Message);
    }

    [Fact]
    public void TinyFile_IsTruncated()
    {
        var path = Path.Combine(TestModels.TempDir(), "tiny.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path)).Message);
    }

    [Fact]
    public void InvalidJson_IsBadHeader()
    {
        var path = WriteRaw("{\"x\": nope", []);
        Assert.Contains("not valid JSON", Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path)).Message);
    }

    [Fact]
    public void ShapeAndByteCountDisagree_IsBadHeader()
    {
        var path = WriteRaw("{\"x\":{\"dtype\":\"F32\",\"shape\":[5],\"data_offsets\":[0,16]}}", new byte[16]);
        Assert.Contains("'x'", Assert.Throws<InvalidDataException>(() => SafetensorsFile.Open(path)).Message);
    }

    [Fact]
    public void UnsupportedDtype_IsNamedOnRead()
    {
        var path = WriteRaw("{\"x\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}", new byte[16]);
        using var f = SafetensorsFile.Open(path);
        var e = Assert.Throws<UnsupportedInputException>(() => f.Read("x"));
        Assert.Contains("I64", e.Message);
    }

    [Fact]
    public void MissingTensor_NamesTensorAndFile()
    {
        var path = WriteFile([("a", [1], [1f])]);
        using var f = SafetensorsFile.Open(path);
        var e = Assert.Throws<InvalidDataException>(() => f.Read("model.norm.weight"));
        Assert.Contains("'model.norm.weight'", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Writer_RejectsOutOfOrderAndWrongLength_AndLeavesNoFileWithoutCommit()
    {
        var path = Path.Combine(TestModels.TempDir(), "w.safetensors");
        using (var w = new SafetensorsWriter(path, [("a", [2]), ("b", [3])]))
        {
            Assert.Throws<InvalidOperationException>(() => w.Write("b", new float[3]));
            Assert.Throws<ArgumentException>(() => w.Write("a", new float[5]));
            w.Write("a", new float[2]);
            Assert.Throws<InvalidOperationException>(w.Commit);
        }
        Assert.False(File.Exists(path));
        Assert.False(File.Exists(path + ".tmp"));
    }
}
