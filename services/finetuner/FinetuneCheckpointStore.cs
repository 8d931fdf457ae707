using System.Text.Json;
using PrunePipeline.Artifacts;
using PrunePipeline.ServiceDefaults.Trust;
using PrunePipeline.Training;

namespace PrunePipeline.Finetuner;

/// <summary>
/// A finetuning checkpoint as artifacts under <see cref="ArtifactKeys.FinetuneCheckpoint"/>: weights.bin (every
/// trainable matrix, concatenated fp32 with checksum), optimizer.bin (AdamW state), state.json
/// (<see cref="FinetuneCheckpointManifest"/>, last). Write-once: training is deterministic, so a step redone after a
/// crash writes the same bytes, and anything else is refused (<see cref="WriteOnceArtifacts"/>).
/// </summary>
public static class FinetuneCheckpointStore
{
    public static async Task SaveAsync(IArtifactStore store, string prefix, FinetuneState state, CancellationToken ct)
    {
        var flat = new float[state.Weights.Sum(w => (long)w.Length)];
        var at = 0;
        foreach (var w in state.Weights)
        {
            w.CopyTo(flat, at);
            at += w.Length;
        }
        await store.PutFloatsOnceAsync(prefix + "/weights.bin", flat, [flat.Length], ct);
        await WriteOnceArtifacts.PutOnceAsync(store, prefix + "/optimizer.bin", () => new MemoryStream(state.Optimizer, writable: false), ct);
        var manifest = new FinetuneCheckpointManifest(state.Step, [.. state.Weights.Select(w => w.Length)], state.Curve);
        var json = JsonSerializer.SerializeToUtf8Bytes(manifest);
        await WriteOnceArtifacts.PutOnceAsync(store, prefix + "/state.json", () => new MemoryStream(json, writable: false), ct);
    }

    /// <summary>The checkpoint under <paramref name="prefix"/>; a missing or inconsistent part is an error naming it.</summary>
    public static async Task<FinetuneState> LoadAsync(IArtifactStore store, string prefix, CancellationToken ct)
    {
        FinetuneCheckpointManifest manifest;
        await using (var s = await store.OpenReadAsync(prefix + "/state.json", ct))
            manifest = await JsonSerializer.DeserializeAsync<FinetuneCheckpointManifest>(s, cancellationToken: ct)
                       ?? throw new InvalidDataException($"finetune checkpoint '{prefix}/state.json' is empty.");
        var total = manifest.Lengths.Sum(l => (long)l);
        var flat = await store.GetFloatsAsync(prefix + "/weights.bin", [checked((int)total)], ct);
        var weights = new List<float[]>(manifest.Lengths.Count);
        var at = 0;
        foreach (var length in manifest.Lengths)
        {
            weights.Add(flat.AsSpan(at, length).ToArray());
            at += length;
        }
        byte[] optimizer;
        await using (var s = await store.OpenReadAsync(prefix + "/optimizer.bin", ct))
        using (var ms = new MemoryStream())
        {
            await s.CopyToAsync(ms, ct);
            optimizer = ms.ToArray();
        }
        return new FinetuneState(manifest.Step, weights, optimizer, manifest.Curve);
    }
}
