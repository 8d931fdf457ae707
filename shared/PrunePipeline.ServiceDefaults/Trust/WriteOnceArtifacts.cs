using System.Security.Cryptography;
using PrunePipeline.Artifacts;
using PrunePipeline.Workflow.Output;

namespace PrunePipeline.ServiceDefaults.Trust;

/// <summary>
/// Artifacts of a run are write-once. A key that exists already is left alone: with the same content (a duplicate
/// execution of a deterministic stage) the put is a no-op; with other content it is refused, so a late or forged
/// command can never make a run's artifacts disagree with its history. (The store has no conditional put that S3,
/// moto and a folder all honour; the <see cref="RunGuard"/> in front makes the check-then-put race harmless: both
/// writers of a duplicate write the same bytes.)
/// </summary>
public static class WriteOnceArtifacts
{
    /// <summary>Stores a float32 tensor under <paramref name="key"/> unless it is already there.</summary>
    public static Task<bool> PutFloatsOnceAsync(this IArtifactStore store, string key, float[] data, int[] shape, CancellationToken ct) =>
        PutOnceAsync(store, key, () => FloatArtifactExtensions.Encode(data, shape), ct);

    /// <summary>Stores a 0/1 byte mask bit-packed unless it is already there.</summary>
    public static Task<bool> PutMaskOnceAsync(this IArtifactStore store, string key, byte[] mask, int rows, int cols, CancellationToken ct) =>
        PutOnceAsync(store, key, () =>
        {
            var packed = new byte[(long)rows * MaskPacking.BytesPerRow(cols)];
            MaskPacking.Pack(mask, packed, rows, cols);
            return new MemoryStream(packed, writable: false);
        }, ct);

    /// <summary>True when written; false when the same content was there already.</summary>
    /// <exception cref="WriteOnceConflictException">The key holds other content (named with both hashes).</exception>
    public static async Task<bool> PutOnceAsync(IArtifactStore store, string key, Func<Stream> content, CancellationToken ct)
    {
        if (await store.ExistsAsync(key, ct))
        {
            string stored, fresh;
            await using (var s = await store.OpenReadAsync(key, ct)) stored = await HashAsync(s, ct);
            await using (var s = content()) fresh = await HashAsync(s, ct);
            if (stored == fresh) return false;
            throw new WriteOnceConflictException(key,
                $"artifact already exists with other content (sha256 {stored[..16]}…, new {fresh[..16]}…); artifacts of a run are write-once.");
        }
        await using (var s = content()) await store.PutAsync(key, s, ct);
        return true;
    }

    static async Task<string> HashAsync(Stream s, CancellationToken ct) => Convert.ToHexStringLower(await SHA256.HashDataAsync(s, ct));
}
