using PrunePipeline.Artifacts;

namespace PrunePipeline.EndToEnd.Tests;

/// <summary>An artifact store that freezes the writer of any key containing <see cref="Gate"/> until
/// <see cref="Release"/> (or the writer's own cancellation): a worker "killed" at that point, its process frozen.
/// <see cref="Reached"/> completes when a writer is held.</summary>
internal sealed class GatedArtifactStore(IArtifactStore inner, string gate) : IArtifactStore
{
    readonly CancellationTokenSource _release = new();
    readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Gate => gate;

    public Task Reached => _reached.Task;

    public void Release() => _release.Cancel();

    public async Task PutAsync(string key, Stream content, CancellationToken ct = default)
    {
        if (key.Contains(gate, StringComparison.Ordinal))
        {
            _reached.TrySetResult();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _release.Token);
            await Task.Delay(Timeout.Infinite, linked.Token); // never writes: throws when released
        }
        await inner.PutAsync(key, content, ct);
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken ct = default) => inner.OpenReadAsync(key, ct);

    public Task<bool> ExistsAsync(string key, CancellationToken ct = default) => inner.ExistsAsync(key, ct);

    public Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken ct = default) => inner.ListAsync(prefix, ct);

    public Task DeleteAsync(string key, CancellationToken ct = default) => inner.DeleteAsync(key, ct);
}
