using System.Text.Json;
using PrunePipeline.Model.Io;

namespace PrunePipeline.Cli.Tests;

public class LayerVerbTests
{
    private static (float[] W, float[] H) Problem(int rows, int cols)
    {
        var rng = new Random(5);
        var x = new float[64 * cols];
        for (var i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        var h = new float[cols * cols];
        for (var s = 0; s < 64; s++)
            for (var i = 0; i < cols; i++)
                for (var j = 0; j < cols; j++) h[i * cols + j] += x[s * cols + i] * x[s * cols + j] / 64f;
        var w = new float[rows * cols];
        for (var i = 0; i < w.Length; i++) w[i] = (float)(rng.NextDouble() * 2 - 1);
        return (w, h);
    }

    [Fact]
    public async Task PrunesAMatrixAndWritesReportInTheInputDtype()
    {
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            var (w, h) = Problem(6, 16);
            var wp = Path.Combine(dir.FullName, "W.npy");
            var hp = Path.Combine(dir.FullName, "H.npy");
            var op = Path.Combine(dir.FullName, "out.npy");
            var rp = Path.Combine(dir.FullName, "r.json");
            Npy.Write(wp, w, [6, 16], NpyDtype.Float64);
            Npy.Write(hp, h, [16, 16]);
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var rc = await VerbRunner.RunAsync(["layer", "--weight", wp, "--hessian", hp, "--method", "prox", "--refine-steps", "50", "--out", op, "--report", rp], stdout, stderr);
            Assert.True(rc == 0, stderr.ToString());
            var result = Npy.ReadMatrix(op);
            Assert.Equal(NpyDtype.Float64, result.Dtype);
            for (var g = 0; g < result.Data.Length; g += 4) Assert.True(result.Data.AsSpan(g, 4).ToArray().Count(v => v != 0) <= 2);
            using var report = JsonDocument.Parse(File.ReadAllText(rp));
            var root = report.RootElement;
            Assert.Equal("prox", root.GetProperty("method").GetString());
            Assert.Equal("2:4", root.GetProperty("pattern").GetString());
            Assert.Equal("cg", root.GetProperty("refine").GetString()); // the adaptive schedule's (the default) refinement
            Assert.Equal(1.0, root.GetProperty("valid_groups_fraction").GetDouble());
            var loss = root.GetProperty("loss_dense_to_pruned");
            Assert.True(loss.GetProperty("after_refine").GetDouble() <= loss.GetProperty("before_refine").GetDouble() + 1e-9);
            Assert.True(root.GetProperty("iterations").GetInt32() > 0);
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public async Task ShapeMismatchAndNonDivisibleColumnsAreClearErrors()
    {
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            var (w, h) = Problem(4, 8);
            var wp = Path.Combine(dir.FullName, "W.npy");
            var hp = Path.Combine(dir.FullName, "H.npy");
            Npy.Write(wp, w, [4, 8]);
            Npy.Write(hp, h.AsSpan(0, 36).ToArray(), [6, 6]);
            var stderr = new StringWriter();
            var rc = await VerbRunner.RunAsync(["layer", "--weight", wp, "--hessian", hp, "--method", "wanda", "--out", Path.Combine(dir.FullName, "o.npy")], new StringWriter(), stderr);
            Assert.Equal(1, rc);
            Assert.Contains("shape mismatch: W", stderr.ToString());
            Assert.Contains("H must be 8×8", stderr.ToString());

            var w6 = Path.Combine(dir.FullName, "W6.npy");
            Npy.Write(w6, new float[12], [2, 6]);
            stderr = new StringWriter();
            rc = await VerbRunner.RunAsync(["layer", "--weight", w6, "--hessian", hp, "--method", "sparsegpt", "--out", Path.Combine(dir.FullName, "o.npy")], new StringWriter(), stderr);
            Assert.Equal(1, rc);
            Assert.Contains("not divisible by 4", stderr.ToString());

            var hn = (float[])h.Clone();
            hn[3] = float.NaN;
            Npy.Write(hp, hn, [8, 8]);
            stderr = new StringWriter();
            rc = await VerbRunner.RunAsync(["layer", "--weight", wp, "--hessian", hp, "--method", "prox", "--out", Path.Combine(dir.FullName, "o.npy")], new StringWriter(), stderr);
            Assert.Equal(1, rc);
            Assert.Contains("H contains NaN at flat index 3", stderr.ToString());
            Assert.Contains("H.npy", stderr.ToString());
        }
        finally { dir.Delete(true); }
    }
}
