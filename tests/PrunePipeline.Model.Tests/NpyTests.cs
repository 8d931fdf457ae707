using System.Text;
using PrunePipeline.Model.Io;

namespace PrunePipeline.Model.Tests;

public class NpyTests
{
    /// <summary>Builds a .npy byte image by hand (what numpy.save writes), independent of Npy.Write.</summary>
    private static byte[] Fixture(int major, string dict, byte[] payload)
    {
        var prefix = major == 1 ? 10 : 12;
        var total = (prefix + dict.Length + 1 + 63) / 64 * 64;
        var header = dict.PadRight(total - prefix - 1) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.Add((byte)major);
        bytes.Add(0);
        if (major == 1) bytes.AddRange(BitConverter.GetBytes((ushort)header.Length));
        else bytes.AddRange(BitConverter.GetBytes(header.Length));
        bytes.AddRange(Encoding.UTF8.GetBytes(header));
        bytes.AddRange(payload);
        return bytes.ToArray();
    }

    private static NpyArray Parse(byte[] bytes) => Npy.Read(new MemoryStream(bytes), "fixture.npy");

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ReadsFloat32AllVersions(int major)
    {
        float[] values = [1.5f, -2f, 0f, 3.25f, 1e-8f, -7f];
        var bytes = Fixture(major, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
            values.SelectMany(BitConverter.GetBytes).ToArray());
        var a = Parse(bytes);
        Assert.Equal(new[] { 2, 3 }, a.Shape);
        Assert.Equal(NpyDtype.Float32, a.Dtype);
        Assert.Equal(values, a.Data);
    }

    [Fact]
    public void ReadsFloat64AndOneDimensional()
    {
        double[] values = [0.1, -0.25, 3];
        var a = Parse(Fixture(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", values.SelectMany(BitConverter.GetBytes).ToArray()));
        Assert.Equal(new[] { 3 }, a.Shape);
        Assert.Equal(NpyDtype.Float64, a.Dtype);
        Assert.Equal(values.Select(v => (float)v), a.Data);
    }

    [Fact]
    public void RoundTripsBothDtypesWithExactHeaderAlignment()
    {
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            var data = Enumerable.Range(0, 12).Select(i => i * 0.5f - 3).ToArray();
            foreach (var dtype in new[] { NpyDtype.Float32, NpyDtype.Float64 })
            {
                var path = Path.Combine(dir.FullName, $"a{dtype}.npy");
                Npy.Write(path, data, [3, 4], dtype);
                var bytes = File.ReadAllBytes(path);
                var headerLen = bytes[8] | (bytes[9] << 8);
                Assert.Equal(0, (10 + headerLen) % 64);
                Assert.Equal(10 + headerLen + 12 * (dtype == NpyDtype.Float32 ? 4 : 8), bytes.Length);
                var back = Npy.ReadMatrix(path);
                Assert.Equal(data, back.Data);
                Assert.Equal(dtype, back.Dtype);
                Assert.Equal((3, 4), (back.Rows, back.Cols));
            }
        }
        finally { dir.Delete(true); }
    }

    [Theory]
    [InlineData("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }", "big-endian")]
    [InlineData("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", "Fortran-order")]
    [InlineData("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2), }", "dtype '<i8' is not supported")]
    [InlineData("{'fortran_order': False, 'shape': (2, 2), }", "no 'descr'")]
    public void RejectsBadHeadersNamingTheFile(string dict, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse(Fixture(1, dict, new byte[32])));
        Assert.Contains("fixture.npy", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void RejectsTruncatedDataBadMagicAndNon2D()
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse(Fixture(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", new byte[8])));
        Assert.Contains("truncated", e.Message);
        Assert.Contains("bad magic", Assert.Throws<InvalidDataException>(() => Parse("PK\x03\x04abcdefgh"u8.ToArray())).Message);
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            var path = Path.Combine(dir.FullName, "cube.npy");
            Npy.Write(path, new float[8], [2, 2, 2]);
            var ex = Assert.Throws<InvalidDataException>(() => Npy.ReadMatrix(path));
            Assert.Contains("cube.npy", ex.Message);
            Assert.Contains("2-D", ex.Message);
        }
        finally { dir.Delete(true); }
    }
}
