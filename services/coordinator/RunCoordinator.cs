using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.Logging;
using PrunePipeline.Contracts;
using PrunePipeline.EventStore;
using PrunePipeline.ServiceDefaults;
using PrunePipeline.ServiceDefaults.Configuration;
using PrunePipeline.ServiceDefaults.Trust;

namespace PrunePipeline.Coordinator;

/// <summary>
/// Appends a run's events and decides what to send next. Each append names the stream version it folded (optimistic
/// concurrency: on a conflict the stream is re-read and the append retried) and the causing message id (a redelivery
/// appends nothing and sends nothing: fan-out happens once per state transition, see <see cref="RecordAndSendAsync"/>).
/// A request's paths are checked against the roots before its model is opened; RunFailed reasons are bounded.
/// </summary>
public sealed class RunCoordinator(IEventStore store, ModelTopologies topologies, ILogger<RunCoordinator> logger,
    PathRoots? roots = null, PipelineOptions? options = null)
{
    const int MaxAttempts = 20;

    // Causations this process appended but has not finished sending the commands of (publish failed, retry pending).
    readonly ConcurrentDictionary<Guid, byte> _unsent = new();
    readonly int _maxReasonChars = (options ?? new PipelineOptions()).Limits.MaxReasonChars;

    /// <summary>
    /// Records <paramref name="message"/> and sends what follows from it — only when this append added it, or when
    /// this process added it earlier and its sending failed (the retry). A duplicate otherwise (a redelivered event, a
    /// second result of work done twice) sends nothing: before, each duplicate BlockCalibrated re-fanned out its block
    /// and the rest of the run was done twice. A coordinator killed between its append and its sends is covered by
    /// <see cref="RunResumer"/>, which re-sends every pending command when the process starts again.
    /// </summary>
    public async Task RecordAndSendAsync(IPublishEndpoint bus, Guid runId, object message, Guid causationId, CancellationToken ct)
    {
        var planned = await RecordAsync(runId, message, causationId, ct);
        await SendAsync(bus, planned, ct);
        _unsent.TryRemove(causationId, out _);
    }

    /// <summary>Records <paramref name="message"/> (an event, PruneRequested or ReplayRequested) and returns what to send.</summary>
    public async Task<IReadOnlyList<PlannedMessage>> RecordAsync(Guid runId, object message, Guid causationId, CancellationToken ct)
    {
        if (message is RunFailed failed) message = failed with { Reason = FailureReasons.Bound(failed.Reason, _maxReasonChars) };
        for (var attempt = 1; ; attempt++)
        {
            var stored = await store.ReadStreamAsync(runId, 1, ct);
            var before = Fold(stored, long.MaxValue);
            if (before is null && message is not (PruneRequested or ReplayRequested))
            {
                logger.LogWarning("{Type} for unknown run {Run} ignored", message.GetType().Name, runId);
                return [];
            }
            if (before is not null && message is PruneRequested or ReplayRequested && !stored.Any(e => e.CausationId == causationId))
            {
                logger.LogWarning("run {Run} already exists; a second request for it is ignored", runId);
                return [];
            }
            if (before is { IsFinished: true } && !stored.Any(e => e.CausationId == causationId)) return [];

            IReadOnlyList<object> events;
            try
            {
                if (message is PruneRequested request) roots?.CheckRequest(request); // before its config.json is opened
                events = await EventsFor(message, ct);
            }
            catch (Exception e) when (StageFailure.IsBadInput(e) || e is IOException)
            {
                events = [message, new RunFailed(runId, PipelineStages.Requested, StageFailure.Reason(e))];
            }
            AppendResult result;
            try
            {
                result = await store.AppendAsync(runId, StreamTypes.Run, before?.Version ?? ExpectedVersion.NoStream,
                    [.. events.Select(e => new EventToAppend(e))], causationId, ct);
            }
            catch (PrunePipeline.EventStore.ConcurrencyException) when (attempt < MaxAttempts)
            {
                continue; // someone appended meanwhile: re-read, re-fold, retry
            }
            if (result.Duplicate)
            {
                if (!_unsent.ContainsKey(causationId)) return []; // fan-out once per state transition
                stored = await store.ReadStreamAsync(runId, 1, ct);
                before = Fold(stored, result.FirstVersion - 1);
            }
            var after = Fold(await store.ReadStreamAsync(runId, 1, ct), result.LastVersion)!;
            if (after.Request is null || after.IsFinished) return []; // a failed request's model is never opened
            RunTopology topology;
            try
            {
                topology = topologies.Get(after.Request.ModelLocation);
            }
            catch (Exception e) when (StageFailure.IsBadInput(e) || e is IOException)
            {
                return [new PlannedMessage(MessageIds.Command(runId, "failed-model"), new RunFailed(runId, PipelineStages.Requested, StageFailure.Reason(e)))];
            }
            var next = RunPlanner.Next(before, after, topology);
            if (next.Count > 0) _unsent.TryAdd(causationId, 0);
            return next;
        }
    }

    /// <summary>Sends planned commands; RunCompleted / RunFailed the coordinator decides itself are recorded, then published.</summary>
    public async Task SendAsync(IPublishEndpoint bus, IReadOnlyList<PlannedMessage> planned, CancellationToken ct)
    {
        foreach (var p in planned)
        {
            if (p.Message is RunCompleted or RunFailed)
            {
                var runId = p.Message is RunCompleted c ? c.RunId : ((RunFailed)p.Message).RunId;
                await RecordAsync(runId, p.Message, p.Id, ct);
            }
            await bus.Publish(p.Message, p.Message.GetType(), x => x.MessageId = p.Id, ct);
        }
    }

    /// <summary>Commands pending for every unfinished run (start-up resume).</summary>
    public async Task<IReadOnlyList<PlannedMessage>> PendingOfUnfinishedRunsAsync(CancellationToken ct)
    {
        var result = new List<PlannedMessage>();
        foreach (var run in await store.ListRunsAsync(10_000, ct))
        {
            if (run.Status != RunStatuses.Running) continue;
            var state = Fold(await store.ReadStreamAsync(run.RunId, 1, ct), long.MaxValue);
            if (state?.Request is null) continue;
            try
            {
                result.AddRange(RunPlanner.Pending(state, topologies.Get(state.Request.ModelLocation)));
            }
            catch (Exception e) when (StageFailure.IsBadInput(e) || e is IOException)
            {
                logger.LogError("run {Run} cannot be resumed: {Reason}", run.RunId, e.Message);
            }
        }
        return result;
    }

    async Task<IReadOnlyList<object>> EventsFor(object message, CancellationToken ct)
    {
        if (message is not ReplayRequested replay) return [message];
        var source = Fold(await store.ReadStreamAsync(replay.SourceRunId, 1, ct), long.MaxValue);
        var blocks = source?.Request is { } r ? topologies.Get(r.ModelLocation).Blocks : 0;
        return ReplayPlanner.Plan(replay, source, blocks);
    }

    static RunState? Fold(IReadOnlyList<StoredEvent> stored, long upToVersion) =>
        RunState.Fold(stored.Where(e => e.Version <= upToVersion).Select(e => (e.Data, e.Version)));
}
