namespace PrunePipeline.Artifacts.Tests;

public sealed class FolderArtifactStoreTests : ArtifactStoreContractTests, IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("prune-folder-store").FullName;
    readonly FolderArtifactStore _store;

    public FolderArtifactStoreTests() => _store = new FolderArtifactStore(_root);

    protected override IArtifactStore Store => _store;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Objects_are_plain_files_and_failed_puts_leave_no_temp_files()
    {
        await _store.PutAsync("masks/r/l.mask", new MemoryStream([9, 8, 7]));
        Assert.Equal([9, 8, 7], File.ReadAllBytes(Path.Combine(_root, "masks", "r", "l.mask")));
        await Assert.ThrowsAnyAsync<Exception>(() => _store.PutAsync("masks/r/m.mask", new FailingStream(new byte[10_000], 5_000)));
        Assert.Equal(["l.mask"], Directory.EnumerateFiles(Path.Combine(_root, "masks", "r")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Temp_files_of_an_unfinished_put_are_never_listed()
    {
        Directory.CreateDirectory(Path.Combine(_root, "w"));
        File.WriteAllBytes(Path.Combine(_root, "w", "x.bin.0123.tmp~"), [1]);
        await _store.PutAsync("w/y.bin", new MemoryStream([1]));
        Assert.Equal(["w/y.bin"], await _store.ListAsync("w/"));
    }
}
