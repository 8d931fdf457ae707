namespace PrunePipeline.Artifacts.Tests;

public sealed class ArtifactKeysTests
{
    static readonly Guid Run = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

    [Fact]
    public void Builders_follow_the_architecture_layout()
    {
        Assert.Equal("hessians/abc123/3/attn_in.bin", ArtifactKeys.Hessian("abc123", 3, "attn_in"));
        Assert.Equal("activations/abc123/0.bin", ArtifactKeys.BlockInputs("abc123", 0));
        Assert.Equal("masks/0f8fad5b-d9cb-469f-a165-70867728950e/model.layers.0.mlp.up_proj.weight.mask",
            ArtifactKeys.Mask(Run, "model.layers.0.mlp.up_proj.weight"));
        Assert.Equal("weights/0f8fad5b-d9cb-469f-a165-70867728950e/refined/model.layers.1.self_attn.o_proj.weight.bin",
            ArtifactKeys.Weights(Run, "model.layers.1.self_attn.o_proj.weight", "refined"));
        Assert.Equal("models/0f8fad5b-d9cb-469f-a165-70867728950e", ArtifactKeys.ModelPrefix(Run));
    }

    [Fact]
    public void Segments_cannot_smuggle_slashes_or_negative_blocks()
    {
        Assert.Throws<ArgumentException>(() => ArtifactKeys.Hessian("a/b", 0, "x"));
        Assert.Throws<ArgumentException>(() => ArtifactKeys.Mask(Run, "../../etc"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ArtifactKeys.Hessian("a", -1, "x"));
    }

    [Fact]
    public void Prefixes_may_be_empty_or_end_with_a_slash()
    {
        ArtifactKeys.ValidatePrefix("");
        ArtifactKeys.ValidatePrefix("masks/");
        Assert.Throws<ArgumentException>(() => ArtifactKeys.ValidatePrefix("../"));
    }
}
