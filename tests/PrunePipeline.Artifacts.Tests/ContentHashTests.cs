namespace PrunePipeline.Artifacts.Tests;

public sealed class ContentHashTests
{
    sealed record Sample(int B, string A, Dictionary<string, object?> C);

    [Fact]
    public void Canonical_json_sorts_members_at_every_depth()
    {
        var value = new Sample(1, "x", new() { ["e"] = null, ["d"] = new[] { 1, 2 } });
        Assert.Equal("{\"A\":\"x\",\"B\":1,\"C\":{\"d\":[1,2],\"e\":null}}", ContentHash.CanonicalJson(value));
    }

    [Fact]
    public void Hash_is_sha256_hex_of_the_canonical_json()
    {
        // Expected value computed independently: python3 hashlib.sha256(b'{"a":"x","b":1,"c":{"d":[1,2],"e":null}}')
        var value = new Dictionary<string, object?> { ["c"] = new Dictionary<string, object?> { ["e"] = null, ["d"] = new[] { 1, 2 } }, ["b"] = 1, ["a"] = "x" };
        Assert.Equal("e88f9609c7350380be3690a71be7accdfcc64f361c8520fb961b72f2a84734de", ContentHash.Of(value));
    }

    [Fact]
    public void Order_does_not_matter_values_do()
    {
        var a = new Dictionary<string, object> { ["seed"] = 0, ["nsamples"] = 128 };
        var b = new Dictionary<string, object> { ["nsamples"] = 128, ["seed"] = 0 };
        var c = new Dictionary<string, object> { ["nsamples"] = 128, ["seed"] = 1 };
        Assert.Equal(ContentHash.Of(a), ContentHash.Of(b));
        Assert.NotEqual(ContentHash.Of(a), ContentHash.Of(c));
        Assert.Equal(64, ContentHash.Of(a).Length);
    }
}
