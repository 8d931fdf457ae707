namespace PrunePipeline.Artifacts;

/// <summary>Float32 tensors as artifacts, in the self-describing format of <c>FloatTensorFormat</c>
/// (magic, dtype, shape, SHA-256 of the payload).</summary>
public static class FloatArtifactExtensions
{
    /// <summary>Stores a row-major float32 tensor; Π(shape) must equal <paramref name="data"/>.Length.</summary>
    public static Task PutFloatsAsync(this IArtifactStore store, string key, ReadOnlyMemory<float> data, int[] shape, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var header = FloatTensorFormat.Header(data.Span, shape);
        return PutAsync(store, key, header, data, ct);
    }

    /// <summary>The stored bytes of a tensor as a stream (what <see cref="PutFloatsAsync"/> writes), for callers that
    /// hash or compare before they write.</summary>
    public static Stream Encode(ReadOnlyMemory<float> data, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return new FloatEncodingStream(FloatTensorFormat.Header(data.Span, shape), data);
    }

    static async Task PutAsync(IArtifactStore store, string key, byte[] header, ReadOnlyMemory<float> data, CancellationToken ct)
    {
        await using var stream = new FloatEncodingStream(header, data);
        await store.PutAsync(key, stream, ct);
    }

    /// <summary>Reads a tensor written by <see cref="PutFloatsAsync"/>, verifying its checksum.</summary>
    /// <exception cref="ArtifactNotFoundException">No such key.</exception>
    /// <exception cref="InvalidDataException">Not a float tensor, truncated, or checksum mismatch (the message names the key).</exception>
    public static async Task<FloatTensor> GetFloatsAsync(this IArtifactStore store, string key, CancellationToken ct = default)
    {
        await using var stream = await store.OpenReadAsync(key, ct);
        return await FloatTensorFormat.ReadAsync(stream, key, ct);
    }

    /// <summary>Like <see cref="GetFloatsAsync(IArtifactStore, string, CancellationToken)"/>, and checks the shape.</summary>
    public static async Task<float[]> GetFloatsAsync(this IArtifactStore store, string key, int[] expectedShape, CancellationToken ct = default)
    {
        var tensor = await store.GetFloatsAsync(key, ct);
        if (!tensor.Shape.AsSpan().SequenceEqual(expectedShape))
            throw new InvalidDataException(
                $"artifact '{key}' has shape [{string.Join(", ", tensor.Shape)}], expected [{string.Join(", ", expectedShape)}].");
        return tensor.Data;
    }
}
