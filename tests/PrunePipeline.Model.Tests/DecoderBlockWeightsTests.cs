namespace PrunePipeline.Model.Tests;

public class DecoderBlockWeightsTests
{
    [Fact]
    public void Linears_HaveHfNamesShapesAndInputs()
    {
        var config = TestModels.Config(d: 16, f: 24, heads: 4, kvHeads: 2);
        using var model = LlamaModel.Open(TestModels.WriteRandom(config, 1));
        var block = model.LoadBlock(1);
        var linears = block.Linears.ToList();
        Assert.Equal(DecoderBlockWeights.LinearNames, linears.Select(l => l.ShortName));
        var k = linears[1];
        Assert.Equal("model.layers.1.self_attn.k_proj.weight", k.TensorName);
        Assert.Equal((8, 16), (k.Rows, k.Cols));
        Assert.Equal("attn_in", k.InputName);
        Assert.Equal((16, 24), (linears[6].Rows, linears[6].Cols));
        Assert.Equal("down_in", linears[6].InputName);
        Assert.Equal(model.ReadTensor(k.TensorName), k.Weights);
    }

    [Fact]
    public void SetLinear_ReplacesWeightsAndChecksLength()
    {
        var config = TestModels.Config();
        using var model = LlamaModel.Open(TestModels.WriteRandom(config, 2));
        var block = model.LoadBlock(0);
        var zeros = new float[block.Up.Length];
        block.SetLinear("mlp.up_proj", zeros);
        Assert.Same(zeros, block.Up);
        var e = Assert.Throws<ArgumentException>(() => block.SetLinear("mlp.up_proj", new float[3]));
        Assert.Contains("model.layers.0.mlp.up_proj.weight", e.Message);
        Assert.Throws<ArgumentException>(() => block.GetLinear("mlp.nope"));
    }
}
