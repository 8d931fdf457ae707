using System.Text.Json.Nodes;
using PrunePipeline.Model.Safetensors;

namespace PrunePipeline.Model.Tests;

public class LlamaModelTests
{
    [Fact]
    public void Open_ShapeMismatchAgainstConfig_NamesTensorAndShapes()
    {
        var config = TestModels.Config(d: 16, f: 24);
        var dir = TestModels.WriteRandom(config, 1);
        // Claim a different intermediate size: the gate_proj shape no longer matches.
        (config with { IntermediateSize = 32 }).Save(dir);
        var e = Assert.Throws<InvalidDataException>(() => LlamaModel.Open(dir));
        Assert.Contains("model.layers.0.mlp.gate_proj.weight", e.Message);
        Assert.Contains("[24, 16]", e.Message);
        Assert.Contains("[32, 16]", e.Message);
    }

    [Fact]
    public void Open_MissingLmHead_WhenUntied_IsNamed()
    {
        var config = TestModels.Config(tied: true);
        var dir = TestModels.WriteRandom(config, 2);
        (config with { TieWordEmbeddings = false }).Save(dir);
        var e = Assert.Throws<InvalidDataException>(() => LlamaModel.Open(dir));
        Assert.Contains("'lm_head.weight' is missing", e.Message);
    }

    [Fact]
    public void Open_MissingCheckpoint_NamesBothFileNames()
    {
        var dir = TestModels.TempDir();
        TestModels.Config().Save(dir);
        var e = Assert.Throws<FileNotFoundException>(() => LlamaModel.Open(dir));
        Assert.Contains("model.safetensors", e.Message);
        Assert.Contains("model.safetensors.index.json", e.Message);
    }

    [Fact]
    public void Bf16Checkpoint_LoadsAndRecordsTorchDtype()
    {
        var config = TestModels.Config();
        var dir = TestModels.WriteRandom(config, 3, SafetensorsDType.BF16);
        using var model = LlamaModel.Open(dir);
        Assert.Equal("bfloat16", model.Config.TorchDtype);
        Assert.Equal(SafetensorsDType.BF16, model.TensorInfo(LlamaTensorNames.Embedding).DType);
        Assert.All(model.FinalNorm, v => Assert.InRange(v, 0.8f, 1.2f));
    }

    [Fact]
    public void TiedHead_IsTheEmbedding()
    {
        using var model = LlamaModel.Open(TestModels.WriteRandom(TestModels.Config(tied: true), 4));
        Assert.Same(model.Embedding, model.LmHead);
        Assert.DoesNotContain(LlamaTensorNames.LmHead, model.TensorNames);
    }

    [Fact]
    public void ConfigJson_HasNothingAboutSparsity()
    {
        var dir = TestModels.WriteRandom(TestModels.Config(), 5);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!.AsObject();
        Assert.DoesNotContain(json, p => p.Key.Contains("spars", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("LlamaForCausalLM", json["architectures"]![0]!.GetValue<string>());
    }
}
