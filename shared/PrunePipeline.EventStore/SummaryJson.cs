using System.Text.Json;

namespace PrunePipeline.EventStore;

/// <summary>JSON of the perplexities column.</summary>
internal static class SummaryJson
{
    public static string Write(IReadOnlyDictionary<string, double> perplexities) =>
        JsonSerializer.Serialize(perplexities, EventTypeRegistry.JsonOptions);

    public static IReadOnlyDictionary<string, double> Read(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, double>>(json, EventTypeRegistry.JsonOptions) ?? [];
}
