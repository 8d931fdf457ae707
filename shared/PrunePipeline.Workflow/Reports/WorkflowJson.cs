using System.Text.Json;
using System.Text.Json.Serialization;
using PrunePipeline.Errors;

namespace PrunePipeline.Workflow.Reports;

/// <summary>The JSON conventions of every file the workflow writes: snake_case, indented, enums as strings.</summary>
public static class WorkflowJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Write<T>(string path, T value) => File.WriteAllText(path, JsonSerializer.Serialize(value, Options) + "\n");

    /// <summary>Reads a JSON file; a malformed file raises an error naming it.</summary>
    public static T Read<T>(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} does not exist.", path);
        try
        {
            return JsonSerializer.Deserialize<T>(StrictUtf8.ReadAllText(path), Options)
                   ?? throw new InvalidDataException($"{path} is empty (JSON null).");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a valid {typeof(T).Name} file: {e.Message}", e);
        }
    }
}
