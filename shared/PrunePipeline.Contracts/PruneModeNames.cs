namespace PrunePipeline.Contracts;

/// <summary>The user-facing names of <see cref="PruneMode"/> (the same as its JSON form): "sequential", "one-shot".</summary>
public static class PruneModeNames
{
    public static string Name(this PruneMode mode) => mode == PruneMode.OneShot ? "one-shot" : "sequential";

    /// <summary>Parses "sequential" or "one-shot" ("oneshot" accepted); null for anything else.</summary>
    public static PruneMode? TryParse(string text) => text.ToLowerInvariant() switch
    {
        "sequential" => PruneMode.Sequential,
        "one-shot" or "oneshot" => PruneMode.OneShot,
        _ => null,
    };
}
