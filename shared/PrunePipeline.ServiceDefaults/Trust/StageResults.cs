using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Logging;
using PrunePipeline.Artifacts;

namespace PrunePipeline.ServiceDefaults.Trust;

/// <summary>
/// A stage's result event, stored next to its artifacts (<c>results/{run}/{stage}/{name}.json</c>) after they are
/// written and before the event is published. The same command again — a resumer re-send after a coordinator restart
/// while the original's result still waits in the coordinator's queue, or a redelivery after a crash between publish
/// and acknowledgement — finds it and re-publishes the recorded event (same deterministic id, so the coordinator
/// appends it once) instead of redoing the layer: a restart costs no second GPU execution of finished work.
/// </summary>
public static class StageResults
{
    /// <summary>The key of one result of <paramref name="stage"/> ("prune", "refine") for <paramref name="name"/> (a layer).</summary>
    public static string Key(Guid run, string stage, string name)
    {
        var key = $"results/{run:D}/{stage}/{name}.json";
        ArtifactKeys.Validate(key);
        return key;
    }

    /// <summary>The stored result, or null when the work has not been completed yet.</summary>
    public static async Task<T?> TryGetAsync<T>(IArtifactStore store, string key, CancellationToken ct) where T : class
    {
        if (!await store.ExistsAsync(key, ct)) return null;
        await using var s = await store.OpenReadAsync(key, ct);
        return await JsonSerializer.DeserializeAsync<T>(s, cancellationToken: ct)
               ?? throw new InvalidDataException($"result artifact '{key}' holds no {typeof(T).Name}.");
    }

    /// <summary>When the work of <paramref name="key"/> is already done, publishes its recorded result again (as the
    /// reply to this command) and returns true; the caller then skips the work.</summary>
    public static async Task<bool> TryRepublishAsync<T>(ConsumeContext context, IArtifactStore store, Guid run, string key, ILogger logger,
        CancellationToken ct) where T : class
    {
        if (await TryGetAsync<T>(store, key, ct) is not { } done) return false;
        logger.LogInformation("run {Run}: {Key} was done before; its stored result is published again", run, key);
        await context.PublishReply(run, done);
        return true;
    }

    /// <summary>Stores <paramref name="result"/> (call after the artifacts it names are written).</summary>
    public static async Task PutAsync<T>(IArtifactStore store, string key, T result, CancellationToken ct)
    {
        using var ms = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(result), writable: false);
        await store.PutAsync(key, ms, ct);
    }
}
