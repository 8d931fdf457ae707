using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PrunePipeline.Artifacts;

/// <summary>
/// Content addressing: SHA-256 (lower-case hex) of the canonical JSON of the inputs that determine an artifact.
/// Canonical = System.Text.Json serialization with object members sorted ordinally at every depth and no whitespace,
/// so two records with the same values hash equally whatever the declaration or dictionary order.
/// </summary>
public static class ContentHash
{
    static readonly JsonSerializerOptions Options = new() { WriteIndented = false };

    /// <summary>Hash of <paramref name="value"/>'s canonical JSON (64 hex characters).</summary>
    public static string Of<T>(T value) => OfCanonicalJson(CanonicalJson(value));

    /// <summary>The canonical JSON text <see cref="Of{T}"/> hashes (useful to log what a key depends on).</summary>
    public static string CanonicalJson<T>(T value)
    {
        var node = JsonSerializer.SerializeToNode(value, Options);
        return Canonicalize(node)?.ToJsonString(Options) ?? "null";
    }

    /// <summary>SHA-256 hex of raw bytes.</summary>
    public static string OfBytes(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    static string OfCanonicalJson(string json) => OfBytes(Encoding.UTF8.GetBytes(json));

    static JsonNode? Canonicalize(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Canonicalize(p.Value)))),
        JsonArray arr => new JsonArray(arr.Select(Canonicalize).ToArray()),
        null => null,
        _ => node.DeepClone(),
    };
}
