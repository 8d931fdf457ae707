using PrunePipeline.Artifacts;
using PrunePipeline.Workflow.Output;

namespace PrunePipeline.ServiceDefaults;

/// <summary>The pipeline's tensor artifacts: activations (S samples of T×d), layer weights, Hessians, bit-packed masks.</summary>
public static class ArtifactTensors
{
    /// <summary>Stores S activation arrays of equal length as one [S, T·d] tensor.</summary>
    public static Task PutActivationsAsync(this IArtifactStore store, string key, IReadOnlyList<float[]> samples, CancellationToken ct)
    {
        var n = samples[0].Length;
        var all = new float[(long)samples.Count * n];
        for (var s = 0; s < samples.Count; s++) samples[s].CopyTo(all, (long)s * n);
        return store.PutFloatsAsync(key, all, [samples.Count, n], ct);
    }

    /// <summary>Reads activations written by <see cref="PutActivationsAsync"/>.</summary>
    public static async Task<List<float[]>> GetActivationsAsync(this IArtifactStore store, string key, CancellationToken ct)
    {
        var t = await store.GetFloatsAsync(key, ct);
        if (t.Shape.Length != 2) throw new InvalidDataException($"artifact '{key}' is not an activation tensor [samples, tokens×hidden].");
        var list = new List<float[]>(t.Shape[0]);
        for (var s = 0; s < t.Shape[0]; s++) list.Add(t.Data.AsSpan(s * t.Shape[1], t.Shape[1]).ToArray());
        return list;
    }

    /// <summary>Stores a 0/1 byte mask (rows×cols) bit-packed (<see cref="MaskPacking"/>).</summary>
    public static async Task PutMaskAsync(this IArtifactStore store, string key, byte[] mask, int rows, int cols, CancellationToken ct)
    {
        var packed = new byte[(long)rows * MaskPacking.BytesPerRow(cols)];
        MaskPacking.Pack(mask, packed, rows, cols);
        using var ms = new MemoryStream(packed, writable: false);
        await store.PutAsync(key, ms, ct);
    }

    /// <summary>The bit-packed mask bytes as stored.</summary>
    public static async Task<byte[]> GetPackedMaskAsync(this IArtifactStore store, string key, int rows, int cols, CancellationToken ct)
    {
        await using var s = await store.OpenReadAsync(key, ct);
        using var ms = new MemoryStream();
        await s.CopyToAsync(ms, ct);
        var packed = ms.ToArray();
        if (packed.LongLength != (long)rows * MaskPacking.BytesPerRow(cols))
            throw new InvalidDataException($"mask artifact '{key}' has {packed.Length} bytes, expected {rows}×{MaskPacking.BytesPerRow(cols)}.");
        return packed;
    }

    /// <summary>The 0/1 byte mask (rows×cols).</summary>
    public static async Task<byte[]> GetMaskAsync(this IArtifactStore store, string key, int rows, int cols, CancellationToken ct)
    {
        var mask = new byte[(long)rows * cols];
        MaskPacking.Unpack(await store.GetPackedMaskAsync(key, rows, cols, ct), mask, rows, cols);
        return mask;
    }
}
