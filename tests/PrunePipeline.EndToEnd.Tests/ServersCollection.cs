namespace PrunePipeline.EndToEnd.Tests;

/// <summary>The tests that run services against the shared servers, one at a time: a fault test pauses the broker or
/// restarts PostgreSQL, which must not hit another test's run. Shares one undisturbed reference run.</summary>
[CollectionDefinition(Name)]
public sealed class ServersCollection : ICollectionFixture<ReferenceRun>
{
    public const string Name = "servers";
}
