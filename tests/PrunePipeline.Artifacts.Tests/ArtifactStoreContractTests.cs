using System.Security.Cryptography;
using System.Text;

namespace PrunePipeline.Artifacts.Tests;

/// <summary>The behaviour every <see cref="IArtifactStore"/> must have; run once per implementation.</summary>
public abstract class ArtifactStoreContractTests
{
    protected abstract IArtifactStore Store { get; }

    static byte[] RandomBytes(int n, int seed)
    {
        var bytes = new byte[n];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    async Task<byte[]> ReadAll(string key)
    {
        await using var stream = await Store.OpenReadAsync(key);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task Put_then_read_returns_the_same_bytes()
    {
        var bytes = RandomBytes(3 * 1024 * 1024 + 17, 1);
        await Store.PutAsync("a/b/c.bin", new MemoryStream(bytes));
        Assert.Equal(bytes, await ReadAll("a/b/c.bin"));
    }

    [Fact]
    public async Task Empty_object_round_trips()
    {
        await Store.PutAsync("empty", new MemoryStream());
        Assert.Empty(await ReadAll("empty"));
        Assert.True(await Store.ExistsAsync("empty"));
    }

    [Fact]
    public async Task Large_object_round_trips_in_parts()
    {
        // Above TransferUtility's 16 MiB multipart threshold, so S3 exercises the multipart path.
        var bytes = RandomBytes(17 * 1024 * 1024 + 5, 2);
        await Store.PutAsync("big/object.bin", new MemoryStream(bytes));
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await ReadAll("big/object.bin")));
    }

    [Fact]
    public async Task Forward_only_stream_is_accepted()
    {
        var bytes = RandomBytes(100_000, 3);
        await Store.PutAsync("fwd.bin", new ForwardOnlyStream(bytes));
        Assert.Equal(bytes, await ReadAll("fwd.bin"));
    }

    [Fact]
    public async Task Missing_key_throws_not_found_naming_the_key()
    {
        var e = await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Store.OpenReadAsync("masks/nothing/here.mask"));
        Assert.Equal("masks/nothing/here.mask", e.Key);
        Assert.Contains("masks/nothing/here.mask", e.Message);
        Assert.False(await Store.ExistsAsync("masks/nothing/here.mask"));
    }

    [Fact]
    public async Task Put_replaces_an_existing_object()
    {
        await Store.PutAsync("k", new MemoryStream("first"u8.ToArray()));
        await Store.PutAsync("k", new MemoryStream("second, longer"u8.ToArray()));
        Assert.Equal("second, longer", Encoding.UTF8.GetString(await ReadAll("k")));
    }

    [Fact]
    public async Task List_uses_plain_prefixes_and_sorts_ordinally()
    {
        foreach (var key in new[] { "runs/b/2", "runs/a/1", "runs/a/10", "runs/ab", "other/x", "runsx" })
            await Store.PutAsync(key, new MemoryStream([1]));
        Assert.Equal(["runs/a/1", "runs/a/10"], await Store.ListAsync("runs/a/"));
        Assert.Equal(["runs/a/1", "runs/a/10", "runs/ab"], await Store.ListAsync("runs/a"));
        Assert.Equal(["runs/a/1", "runs/a/10", "runs/ab", "runs/b/2", "runsx"], await Store.ListAsync("runs"));
        Assert.Equal(6, (await Store.ListAsync("")).Count);
        Assert.Empty(await Store.ListAsync("nothing/"));
    }

    [Fact]
    public async Task Delete_removes_and_is_idempotent()
    {
        await Store.PutAsync("d/x", new MemoryStream([1, 2]));
        await Store.DeleteAsync("d/x");
        Assert.False(await Store.ExistsAsync("d/x"));
        await Store.DeleteAsync("d/x");
        await Store.DeleteAsync("never/was/there");
    }

    [Fact]
    public async Task A_failed_put_leaves_no_partial_object_and_keeps_the_old_one()
    {
        await Store.PutAsync("f/obj", new MemoryStream("old"u8.ToArray()));
        await Assert.ThrowsAnyAsync<Exception>(() => Store.PutAsync("f/obj", new FailingStream(RandomBytes(200_000, 4), failAfter: 100_000)));
        await Assert.ThrowsAnyAsync<Exception>(() => Store.PutAsync("f/new", new FailingStream(RandomBytes(200_000, 5), failAfter: 100_000)));
        Assert.Equal("old", Encoding.UTF8.GetString(await ReadAll("f/obj")));
        Assert.False(await Store.ExistsAsync("f/new"));
        Assert.Equal(["f/obj"], await Store.ListAsync("f/"));
    }

    [Fact]
    public async Task Readers_racing_a_writer_see_only_complete_versions()
    {
        // Each version is 256 KiB of one repeated byte: a torn read would show mixed or missing bytes.
        const int size = 256 * 1024;
        await Store.PutAsync("race/obj", new MemoryStream(Enumerable.Repeat((byte)0, size).ToArray()));
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (byte v = 1; v <= 20; v++) await Store.PutAsync("race/obj", new MemoryStream(Enumerable.Repeat(v, size).ToArray()));
            stop.Cancel();
        });
        var reads = 0;
        while (!stop.IsCancellationRequested || reads < 5)
        {
            var bytes = await ReadAll("race/obj");
            Assert.Equal(size, bytes.Length);
            Assert.All(bytes, b => Assert.Equal(bytes[0], b));
            reads++;
        }
        await writer;
        Assert.Equal(20, (await ReadAll("race/obj"))[0]);
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("/abs")]
    [InlineData("a//b")]
    [InlineData("a/./b")]
    [InlineData("a/../b")]
    [InlineData("with space")]
    [InlineData("back\\slash")]
    [InlineData("trailing/")]
    [InlineData("")]
    public async Task Invalid_keys_are_rejected_naming_the_key(string key)
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(key, new MemoryStream([1])));
        Assert.Contains($"'{key}'", e.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => Store.OpenReadAsync(key));
    }

    [Fact]
    public async Task Floats_round_trip_with_shape()
    {
        var rng = new Random(6);
        var data = Enumerable.Range(0, 37 * 53).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        data[5] = float.NaN; // bit patterns are stored as they are
        data[6] = float.NegativeInfinity;
        await Store.PutFloatsAsync("hessians/c/0/attn_in.bin", data, [37, 53]);
        var back = await Store.GetFloatsAsync("hessians/c/0/attn_in.bin");
        Assert.Equal([37, 53], back.Shape);
        Assert.Equal(data, back.Data);
        Assert.Equal(data, await Store.GetFloatsAsync("hessians/c/0/attn_in.bin", [37, 53]));
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => Store.GetFloatsAsync("hessians/c/0/attn_in.bin", [53, 37]));
        Assert.Contains("hessians/c/0/attn_in.bin", e.Message);
    }

    [Fact]
    public async Task Corrupt_or_truncated_float_objects_are_refused_naming_the_key()
    {
        var data = Enumerable.Range(0, 1000).Select(i => (float)i).ToArray();
        await Store.PutFloatsAsync("t/ok.bin", data, [10, 100]);
        var bytes = await ReadAll("t/ok.bin");

        var flipped = (byte[])bytes.Clone();
        flipped[^7] ^= 0x10;
        await Store.PutAsync("t/flipped.bin", new MemoryStream(flipped));
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => Store.GetFloatsAsync("t/flipped.bin"));
        Assert.Contains("t/flipped.bin", e.Message);
        Assert.Contains("SHA-256", e.Message);

        await Store.PutAsync("t/short.bin", new MemoryStream(bytes[..^4]));
        e = await Assert.ThrowsAsync<InvalidDataException>(() => Store.GetFloatsAsync("t/short.bin"));
        Assert.Contains("truncated", e.Message);

        await Store.PutAsync("t/text.bin", new MemoryStream("{\"not\": \"a tensor\"}"u8.ToArray()));
        e = await Assert.ThrowsAsync<InvalidDataException>(() => Store.GetFloatsAsync("t/text.bin"));
        Assert.Contains("magic", e.Message);
    }

    [Fact]
    public async Task Directories_upload_and_download_under_a_prefix()
    {
        var source = Directory.CreateTempSubdirectory("prune-art-src").FullName;
        var target = Directory.CreateTempSubdirectory("prune-art-dst").FullName;
        try
        {
            File.WriteAllText(Path.Combine(source, "config.json"), "{\"dim\": 64}");
            Directory.CreateDirectory(Path.Combine(source, "sub", "deeper"));
            File.WriteAllBytes(Path.Combine(source, "sub", "deeper", "model.safetensors"), RandomBytes(50_000, 7));
            var keys = await Store.UploadDirectoryAsync(source, "models/run-1/");
            Assert.Equal(["models/run-1/config.json", "models/run-1/sub/deeper/model.safetensors"], keys);

            var files = await Store.DownloadDirectoryAsync("models/run-1", target);
            Assert.Equal(2, files.Count);
            Assert.Equal("{\"dim\": 64}", File.ReadAllText(Path.Combine(target, "config.json")));
            Assert.Equal(File.ReadAllBytes(Path.Combine(source, "sub", "deeper", "model.safetensors")),
                File.ReadAllBytes(Path.Combine(target, "sub", "deeper", "model.safetensors")));
            Assert.Empty(Directory.EnumerateFiles(target, "*~", SearchOption.AllDirectories));

            var e = await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Store.DownloadDirectoryAsync("models/run-2", target));
            Assert.Contains("models/run-2/", e.Message);
        }
        finally
        {
            Directory.Delete(source, true);
            Directory.Delete(target, true);
        }
    }
}
