using Microsoft.Extensions.Logging;
using PrunePipeline.Contracts;
using PrunePipeline.EventStore;

namespace PrunePipeline.ServiceDefaults.Trust;

/// <summary>
/// What a worker checks before it acts on a stage command, from the run's history (the event store is the truth;
/// the message is untrusted):
/// <list type="bullet">
/// <item>unknown or finished run → refused, nothing written (a late or forged command cannot touch a finished run's
/// artifacts);</item>
/// <item>result already recorded → skipped (a redelivery or a resumer re-send after a restart costs no GPU time);</item>
/// <item>a path that is not the run's own request's → refused (the coordinator checked the request's paths when it
/// recorded it; a command naming another file is forged);</item>
/// <item>a path outside this worker's roots → <see cref="PathOutsideRootsException"/> (the run fails with a reason
/// naming the path and the setting).</item>
/// </list>
/// Refusals are logged and the message is acknowledged: nothing is published, so nothing reaches the history.
/// </summary>
public sealed class RunGuard(IEventStore events, PathRoots roots, ILogger<RunGuard> logger)
{
    /// <summary>True when the worker should do <paramref name="command"/>.</summary>
    /// <param name="recorded">Whether the run's state already holds this command's result.</param>
    /// <param name="model">The model directory the command opens, if any.</param>
    /// <param name="data">The data files the command opens.</param>
    public async Task<bool> AdmitAsync(Guid runId, string command, Func<RunState, bool> recorded, string? model,
        IReadOnlyCollection<string> data, CancellationToken ct) =>
        await AdmittedStateAsync(runId, command, recorded, model, data, ct) is not null;

    /// <summary><see cref="AdmitAsync"/> for a worker that also reads the run's history (e.g. its last checkpoint):
    /// the state the decision was made on when the command is admitted, else null.</summary>
    public async Task<RunState?> AdmittedStateAsync(Guid runId, string command, Func<RunState, bool> recorded, string? model,
        IReadOnlyCollection<string> data, CancellationToken ct)
    {
        var state = RunState.Fold(await events.ReadStreamAsync(runId, 1, ct));
        string? refusal = state switch
        {
            null or { Request: null } => "the run is unknown",
            { IsFinished: true } => $"the run is {(state.Completed is not null ? "completed" : "failed")}",
            _ when recorded(state) => null,
            _ when model is not null && !string.Equals(model, state.Request.ModelLocation, StringComparison.Ordinal) =>
                $"its model '{model}' is not the run's",
            _ when data.FirstOrDefault(d => !IsRequestData(state.Request, d)) is { } d => $"its data file '{d}' is not the run's",
            _ => "",
        };
        if (refusal is null)
        {
            logger.LogInformation("run {Run}: {Command} skipped: its result is already recorded", runId, command);
            return null;
        }
        if (refusal.Length > 0)
        {
            logger.LogWarning("run {Run}: {Command} refused: {Reason}; nothing written", runId, command, refusal);
            return null;
        }
        if (model is not null) roots.CheckModel(model);
        foreach (var file in data) roots.CheckData(file);
        return state;
    }

    static bool IsRequestData(PruneRequested r, string file) =>
        string.Equals(file, r.Calibration.Path, StringComparison.Ordinal) || r.Evaluation.Datasets.Values.Contains(file, StringComparer.Ordinal)
        || (r.Finetune?.Files(r.Calibration).Contains(file, StringComparer.Ordinal) ?? false);
}
