using PrunePipeline.Contracts;
using PrunePipeline.Errors;
using PrunePipeline.EventStore;

namespace PrunePipeline.Coordinator;

/// <summary>
/// Turns a ReplayRequested into the new run's first events, pure: the effective PruneRequested (source settings +
/// overrides) and one BlockCalibrated per block that REUSES the source run's Hessian keys (the calibrator does no
/// work). Sequential source runs: blocks &gt; 0 were calibrated on the SOURCE run's pruned prefix; the replay uses
/// those Hessians as they are (that is what reuse means) and says so in each event's Note.
/// </summary>
public static class ReplayPlanner
{
    public static IReadOnlyList<object> Plan(ReplayRequested replay, RunState? source, int blocks)
    {
        if (replay.FromStage != PipelineStages.Prune)
            throw new InvalidSettingException("from", $"replay from stage '{replay.FromStage}' is not supported; use '{PipelineStages.Prune}'.");
        if (source?.Request is not { } r) throw new BadInputException($"replay: source run {replay.SourceRunId} does not exist.");
        for (var k = 0; k < blocks; k++)
            if (!source.Calibrated.ContainsKey(k))
                throw new BadInputException($"replay: source run {replay.SourceRunId} has no Hessians for block {k} (it stopped before calibrating it).");
        var o = replay.Overrides;
        var newMethod = o.Method ?? r.Method.Method;
        var schedule = o.Schedule ?? r.Method.Schedule;
        var method = r.Method with
        {
            Method = newMethod,
            Schedule = schedule,
            Refine = o.Refine ?? (o.Method is null && o.Schedule is null ? r.Method.Refine : PruneMethodSettings.DefaultRefine(newMethod, schedule)),
            RefineSteps = o.RefineSteps ?? r.Method.RefineSteps,
            Lambda0 = o.Lambda0 ?? r.Method.Lambda0,
            Beta = o.Beta ?? r.Method.Beta,
            MaxIters = o.MaxIters ?? r.Method.MaxIters,
            Damping = o.Damping ?? r.Method.Damping,
        };
        method.Validate(); // the overrides come in a message: a bad value fails the new run naming the field
        var effective = r with { RunId = replay.RunId, Method = method, Evaluation = o.Evaluation ?? r.Evaluation, IdempotencyKey = replay.IdempotencyKey };
        var note = r.Mode == PruneMode.OneShot
            ? $"reused from run {replay.SourceRunId}: one-shot Hessians of the dense model, identical to a fresh calibration"
            : $"reused from run {replay.SourceRunId}: sequential Hessians of blocks > 0 were taken on the SOURCE run's pruned prefix, not on this run's";
        // The recorded request names the effective method, so the run summary (which starts from it) shows it.
        var events = new List<object> { replay with { Overrides = o with { Method = method.Method, Schedule = method.Schedule, Refine = method.Refine } }, effective };
        for (var k = 0; k < blocks; k++)
        {
            var b = source.Calibrated[k];
            events.Add(b with { RunId = replay.RunId, Seconds = 0, Reused = true, Worker = "coordinator", ReusedFromRun = replay.SourceRunId,
                Note = k == 0 ? $"reused from run {replay.SourceRunId}: block 0 sees the embeddings, identical to a fresh calibration" : note });
        }
        return events;
    }
}
