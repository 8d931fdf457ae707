using PrunePipeline.Errors;
using System.Text.Json.Nodes;

namespace PrunePipeline.Model.Tests;

public class LlamaConfigTests
{
    private static LlamaConfig Parse(string json) => LlamaConfig.FromJson(JsonNode.Parse(json)!.AsObject(), "test/config.json");

    private const string Minimal = """
        {"architectures":["LlamaForCausalLM"],"hidden_size":64,"intermediate_size":172,"num_hidden_layers":5,
         "num_attention_heads":8,"vocab_size":512}
        """;

    [Fact]
    public void Defaults_FollowHf()
    {
        var c = Parse(Minimal);
        Assert.Equal(8, c.NumKeyValueHeads);
        Assert.Equal(8, c.HeadDim);
        Assert.Equal(10000.0, c.RopeTheta);
        Assert.Equal(1e-6f, c.RmsNormEps);
        Assert.False(c.TieWordEmbeddings);
    }

    [Fact]
    public void AllFields_AreRead_AndRoundTripThroughToJson()
    {
        var c = Parse("""
            {"architectures":["MistralForCausalLM"],"hidden_size":4096,"intermediate_size":14336,"num_hidden_layers":32,
             "num_attention_heads":32,"num_key_value_heads":8,"vocab_size":32000,"rms_norm_eps":1e-05,"rope_theta":1000000.0,
             "max_position_embeddings":32768,"tie_word_embeddings":false,"bos_token_id":1,"eos_token_id":[2,7],"torch_dtype":"bfloat16",
             "sliding_window":4096}
            """);
        Assert.Equal(("MistralForCausalLM", 8, 128, 1e6, 32768, 2, "bfloat16"),
            (c.Architecture, c.NumKeyValueHeads, c.HeadDim, c.RopeTheta, c.MaxPositionEmbeddings, c.EosTokenId, c.TorchDtype));
        Assert.Equal(4096, c.SlidingWindow);
        Assert.Equal(c, Parse(c.ToJson()));
    }

    [Theory]
    [InlineData("\"attention_bias\":true", "attention_bias")]
    [InlineData("\"mlp_bias\":true", "mlp_bias")]
    [InlineData("\"hidden_act\":\"gelu\"", "gelu")]
    public void UnimplementedFeatures_AreRefusedByName(string field, string expected)
    {
        var e = Assert.Throws<UnsupportedInputException>(() => Parse(Minimal.Replace("\"vocab_size\":512", "\"vocab_size\":512," + field)));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void SequenceLongerThanSlidingWindow_IsRefused()
    {
        var c = TestModels.Config(layers: 1) with { SlidingWindow = 4 };
        using var model = LlamaModel.Open(TestModels.WriteRandom(c, 1));
        Assert.Equal(4, model.Config.SlidingWindow);
        var fwd = LlamaForward.Create(model, 8);
        Assert.True(double.IsFinite(fwd.SequenceNll([1, 2, 3, 4])));
        Assert.Contains("sliding_window 4", Assert.Throws<UnsupportedInputException>(() => fwd.SequenceNll([1, 2, 3, 4, 5])).Message);
    }

    [Fact]
    public void UnsupportedArchitecture_IsNamedWithTheFile()
    {
        var e = Assert.Throws<UnsupportedInputException>(() => Parse(Minimal.Replace("LlamaForCausalLM", "GPT2LMHeadModel")));
        Assert.Contains("GPT2LMHeadModel", e.Message);
        Assert.Contains("test/config.json", e.Message);
    }

    [Theory]
    [InlineData("\"hidden_size\":64,", "missing field 'hidden_size'")]
    [InlineData("\"vocab_size\":512", "\"vocab_size\":\"x\"")]
    [InlineData("\"num_attention_heads\":8", "\"num_attention_heads\":8,\"num_key_value_heads\":3")]
    [InlineData("\"num_hidden_layers\":5", "\"num_hidden_layers\":0")]
    public void BadFields_AreNamed(string replace, string with)
    {
        var json = Minimal.Replace(replace, with.StartsWith("missing") ? "" : with);
        var e = Assert.Throws<InvalidDataException>(() => Parse(json));
        var field = replace.Split('"')[1];
        Assert.Contains(field, e.Message);
    }

    [Fact]
    public void ParameterCount_OfStories260K()
    {
        var c = new LlamaConfig
        {
            HiddenSize = 64, IntermediateSize = 172, NumHiddenLayers = 5, NumAttentionHeads = 8, NumKeyValueHeads = 4,
            VocabSize = 512, HeadDim = 8, TieWordEmbeddings = true,
        };
        Assert.Equal(260_032, c.ParameterCount);
    }
}
