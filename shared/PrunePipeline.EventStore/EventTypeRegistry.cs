using System.Text.Json;
using PrunePipeline.Contracts;

namespace PrunePipeline.EventStore;

/// <summary>
/// Stable snake_case aliases for stored event types (never CLR names: renaming a class must not orphan history),
/// and their System.Text.Json (camelCase) serialization.
/// </summary>
public sealed class EventTypeRegistry
{
    readonly Dictionary<string, Type> _byAlias = new(StringComparer.Ordinal);
    readonly Dictionary<Type, string> _byType = [];

    /// <summary>The JSON options of event data.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    /// <summary>A registry with every event a run's stream holds (commands are sent, never stored).</summary>
    public static EventTypeRegistry CreateDefault() => new EventTypeRegistry()
        .Register<PruneRequested>("prune_requested")
        .Register<ReplayRequested>("replay_requested")
        .Register<BlockCalibrated>("block_calibrated")
        .Register<LayerPruned>("layer_pruned")
        .Register<LayerRefined>("layer_refined")
        .Register<ModelAssembled>("model_assembled")
        .Register<FinetuneCheckpointed>("finetune_checkpointed")
        .Register<ModelFinetuned>("model_finetuned")
        .Register<ModelEvaluated>("model_evaluated")
        .Register<RunCompleted>("run_completed")
        .Register<RunFailed>("run_failed");

    /// <summary>Maps <typeparamref name="T"/> to <paramref name="alias"/> (lower-case snake_case).</summary>
    public EventTypeRegistry Register<T>(string alias)
    {
        if (string.IsNullOrEmpty(alias) || !alias.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_'))
            throw new ArgumentException($"event alias '{alias}' must be lower-case snake_case.");
        if (_byAlias.TryGetValue(alias, out var existing) && existing != typeof(T))
            throw new ArgumentException($"event alias '{alias}' is already used by {existing.Name}.");
        if (_byType.TryGetValue(typeof(T), out var other) && other != alias)
            throw new ArgumentException($"{typeof(T).Name} is already registered as '{other}'.");
        _byAlias[alias] = typeof(T);
        _byType[typeof(T)] = alias;
        return this;
    }

    /// <summary>The alias of a registered type.</summary>
    public string AliasOf(Type type) => _byType.TryGetValue(type, out var alias)
        ? alias
        : throw new ArgumentException($"event type {type.FullName} is not registered in the EventTypeRegistry.");

    /// <summary>Every (alias, type) pair, so a store can map the same names (Marten's event type names).</summary>
    public IEnumerable<KeyValuePair<string, Type>> Registered => _byAlias;

    /// <summary>The CLR type of an alias, or null when this process does not know it.</summary>
    public Type? TypeOf(string alias) => _byAlias.GetValueOrDefault(alias);

    /// <summary>(alias, JSON) of an event record.</summary>
    public (string Alias, string Json) Serialize(object data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var type = data.GetType();
        return (AliasOf(type), JsonSerializer.Serialize(data, type, JsonOptions));
    }

    /// <summary>The record for a stored (alias, JSON); a <see cref="JsonElement"/> when the alias is unknown.</summary>
    public object Deserialize(string alias, string json)
    {
        var type = TypeOf(alias);
        if (type == null) return JsonSerializer.Deserialize<JsonElement>(json, JsonOptions);
        try
        {
            return JsonSerializer.Deserialize(json, type, JsonOptions)
                   ?? throw new InvalidDataException($"event of type '{alias}' has null data.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"event of type '{alias}' does not deserialize as {type.Name}: {e.Message}", e);
        }
    }
}
