namespace PrunePipeline.Artifacts.Tests;

/// <summary>The contract suite against a real S3 server (moto in CI; MinIO works the same), one fresh bucket per test.</summary>
public sealed class S3ArtifactStoreTests : ArtifactStoreContractTests, IAsyncLifetime
{
    readonly S3ArtifactStore _store = S3ArtifactStore.Create(new S3ArtifactStoreOptions(
        TestServers.Require("PRUNE_TEST_S3_URL"), $"prune-test-{Guid.NewGuid():N}", "test-access", "test-secret"));

    protected override IArtifactStore Store => _store;

    public Task InitializeAsync() => _store.EnsureBucketAsync();

    public async Task DisposeAsync()
    {
        foreach (var key in await _store.ListAsync("")) await _store.DeleteAsync(key);
        _store.Dispose();
    }

    [Fact]
    public async Task Ensure_bucket_is_idempotent()
    {
        await _store.EnsureBucketAsync();
        await _store.EnsureBucketAsync();
    }

    [Fact]
    public async Task A_missing_bucket_is_reported_with_its_name()
    {
        using var store = S3ArtifactStore.Create(new S3ArtifactStoreOptions(
            TestServers.Require("PRUNE_TEST_S3_URL"), "prune-no-such-bucket", "a", "b"));
        var e = await Assert.ThrowsAnyAsync<Exception>(() => store.PutAsync("x", new MemoryStream([1])));
        Assert.Contains("prune-no-such-bucket", e.Message);
    }
}
