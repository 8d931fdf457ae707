using Minio;
using Minio.DataModel.Args;

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
    public async Task Large_objects_go_up_in_parts_and_come_back_streamed()
    {
        // S3 gives a multipart object an ETag "<md5 of part md5s>-<part count>"; a single PUT has none of the suffix.
        var bytes = new byte[40 * 1024 * 1024 + 3];
        new Random(11).NextBytes(bytes);
        await _store.PutAsync("big/parts.bin", new MemoryStream(bytes));
        using var minio = new MinioClient().WithEndpoint(new Uri(TestServers.Require("PRUNE_TEST_S3_URL")).Authority)
            .WithCredentials("test-access", "test-secret").Build();
        var stat = await minio.StatObjectAsync(new StatObjectArgs().WithBucket(_store.Bucket).WithObject("big/parts.bin"));
        var etag = stat.ETag.Trim('"');
        Assert.Contains('-', etag);
        Assert.True(int.Parse(etag[(etag.LastIndexOf('-') + 1)..]) > 1, $"40 MiB went up as {etag}: expected several parts");
        Assert.Equal(bytes.Length, stat.Size);

        // A reader that stops after the first bytes ends the transfer instead of hanging or buffering the rest.
        await using (var partial = await _store.OpenReadAsync("big/parts.bin"))
        {
            var head = new byte[1000];
            await partial.ReadExactlyAsync(head);
            Assert.Equal(bytes[..1000], head);
        }
        await using var full = await _store.OpenReadAsync("big/parts.bin");
        var back = new MemoryStream();
        await full.CopyToAsync(back);
        Assert.Equal(bytes, back.ToArray());
    }

    // Seekable (so the client uploads straight from it, in parts) and breaking part-way through.
    sealed class SeekableFailingStream(byte[] bytes, long failAfter) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => Position >= failAfter ? throw new IOException("disk gone") : base.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => Position >= failAfter ? throw new IOException("disk gone") : base.Read(buffer);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) =>
            Position >= failAfter ? throw new IOException("disk gone") : base.ReadAsync(buffer, ct);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            Position >= failAfter ? throw new IOException("disk gone") : base.ReadAsync(buffer, offset, count, ct);
    }

    [Fact]
    public async Task A_multipart_upload_that_fails_midway_leaves_no_object_and_no_stored_parts()
    {
        var bytes = new byte[40 * 1024 * 1024];
        new Random(12).NextBytes(bytes);
        await Assert.ThrowsAnyAsync<Exception>(() => _store.PutAsync("big/broken.bin", new SeekableFailingStream(bytes, 30 * 1024 * 1024)));
        Assert.False(await _store.ExistsAsync("big/broken.bin"));
        using var minio = new MinioClient().WithEndpoint(new Uri(TestServers.Require("PRUNE_TEST_S3_URL")).Authority)
            .WithCredentials("test-access", "test-secret").Build();
        var pending = new List<string>();
        await foreach (var upload in minio.ListIncompleteUploadsEnumAsync(new ListIncompleteUploadsArgs().WithBucket(_store.Bucket).WithRecursive(true)))
            pending.Add(upload.Key);
        Assert.Empty(pending);
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
