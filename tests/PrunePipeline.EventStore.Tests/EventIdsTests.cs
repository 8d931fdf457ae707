namespace PrunePipeline.EventStore.Tests;

public sealed class EventIdsTests
{
    [Fact]
    public void Ids_are_deterministic_and_distinct_per_stream_and_index()
    {
        Guid c = Guid.NewGuid(), s = Guid.NewGuid();
        Assert.Equal(EventIds.Derive(c, s, 0), EventIds.Derive(c, s, 0));
        var ids = new[] { EventIds.Derive(c, s, 0), EventIds.Derive(c, s, 1), EventIds.Derive(c, Guid.NewGuid(), 0), EventIds.Derive(Guid.NewGuid(), s, 0) };
        Assert.Equal(4, ids.Distinct().Count());
        Assert.Equal('8', EventIds.Derive(c, s, 0).ToString()[14]); // version nibble
    }

    [Fact]
    public void Aliases_must_be_snake_case_and_unique()
    {
        Assert.Throws<ArgumentException>(() => new EventTypeRegistry().Register<string>("LayerPruned"));
        Assert.Throws<ArgumentException>(() => EventTypeRegistry.CreateDefault().Register<string>("layer_pruned"));
        Assert.Equal("layer_pruned", EventTypeRegistry.CreateDefault().AliasOf(typeof(PrunePipeline.Contracts.LayerPruned)));
    }
}
