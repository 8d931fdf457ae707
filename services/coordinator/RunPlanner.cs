using PrunePipeline.Artifacts;
using PrunePipeline.Contracts;
using PrunePipeline.EventStore;
using PrunePipeline.Model;
using PrunePipeline.ServiceDefaults;

namespace PrunePipeline.Coordinator;

/// <summary>
/// The coordinator's decisions, pure. <see cref="Pending"/> lists every message the run is waiting for in its current
/// state; after an event the coordinator sends <see cref="Next"/> = Pending(after) minus Pending(before) (by
/// deterministic id), and on start-up it re-sends Pending(state) for unfinished runs.
/// <para>Sequential: CalibrateBlock k → PruneLayer ×7 → RefineLayer ×7 → CalibrateBlock k+1 (on the pruned block k) →
/// … → AssembleModel [→ FinetuneModel when the request asks for it] → EvaluateModel (pruned or finetuned, and dense) → RunCompleted. One-shot: CalibrateBlock k+1 follows BlockCalibrated k at once
/// (one pass of the dense model, chained through stored activations), and each block's layers fan out as soon as its
/// Hessians exist. A replay starts with every block calibrated (reused), so all layers fan out at once.</para>
/// </summary>
public static class RunPlanner
{
    public static IReadOnlyList<PlannedMessage> Next(RunState? before, RunState after, RunTopology topology)
    {
        var old = before is null ? [] : Pending(before, topology).Select(p => p.Id).ToHashSet();
        return [.. Pending(after, topology).Where(p => !old.Contains(p.Id))];
    }

    public static IReadOnlyList<PlannedMessage> Pending(RunState s, RunTopology topology)
    {
        var result = new List<PlannedMessage>();
        if (s.IsFinished || s.Request is not { } r) return result;
        var run = s.RunId;
        var L = topology.Blocks;
        var refine = r.Method.Refines;
        var allFinal = true;
        var evaluate = r.Evaluation.Datasets.Count > 0;

        for (var k = 0; k < L; k++)
        {
            if (!s.Calibrated.TryGetValue(k, out var calibrated))
            {
                allFinal = false;
                if (CalibrationFor(s, r, topology, k) is { } cmd) result.Add(new(MessageIds.Command(run, $"calibrate/{k}"), cmd));
                continue;
            }
            foreach (var name in DecoderBlockWeights.LinearNames)
            {
                var tensor = LlamaTensorNames.Layer(k, name);
                var hKey = calibrated.HessianKeys[DecoderBlockWeights.InputNameOf(name)];
                if (!s.Pruned.TryGetValue(tensor, out var pruned))
                {
                    allFinal = false;
                    result.Add(new(MessageIds.Command(run, $"prune/{tensor}"), new PruneLayer(run, k, tensor, r.ModelLocation, hKey, r.Method)));
                }
                else if (refine && !s.Refined.ContainsKey(tensor))
                {
                    allFinal = false;
                    result.Add(new(MessageIds.Command(run, $"refine/{tensor}"), new RefineLayer(run, k, tensor, r.ModelLocation, hKey,
                        pruned.MaskKey, pruned.WeightsKey, r.Method)));
                }
            }
        }
        if (!allFinal) return result;

        var prefix = ArtifactKeys.ModelPrefix(run);
        if (s.Assembled is null)
        {
            var weights = s.Pruned.Keys.ToDictionary(t => t, t => FinalWeightsKey(s, t, refine), StringComparer.Ordinal);
            var masks = s.Pruned.ToDictionary(p => p.Key, p => p.Value.MaskKey, StringComparer.Ordinal);
            result.Add(new(MessageIds.Command(run, "assemble"), new AssembleModel(run, r.ModelLocation, weights, masks, prefix, r.Mode, r.Method, r.Calibration)));
        }
        else
        {
            // With finetuning the finetuned model is the run's result: it is what is evaluated and what RunCompleted names.
            var model = s.Assembled.ModelPrefix;
            if (r.Finetune is { } finetune)
            {
                if (s.Finetuned is null)
                {
                    result.Add(new(MessageIds.Command(run, "finetune"), new FinetuneModel(run, r.ModelLocation, s.Assembled.ModelPrefix, r.Calibration,
                        finetune, ArtifactKeys.FinetunedModelPrefix(run))));
                    return result;
                }
                model = s.Finetuned.ModelPrefix;
            }
            // The dense "before" perplexities are measured at the end, next to the pruned model's, not in parallel with
            // pruning (or finetuning): two BLAS users at once change OpenBLAS's work split and so the last bits of the
            // pruned weights, and the run must stay bit-identical to prunectl prune.
            if (evaluate && s.Evaluated is null)
                result.Add(new(MessageIds.Command(run, "evaluate"), new EvaluateModel(run, model, r.Evaluation)));
            var dense = evaluate && r.Evaluation.EvaluateDense;
            if (dense && s.DenseEvaluated is null)
                result.Add(new(MessageIds.Command(run, "evaluate-dense"), new EvaluateModel(run, r.ModelLocation, r.Evaluation, EvaluatedModel.Dense)));
            if (!evaluate || (s.Evaluated is not null && (!dense || s.DenseEvaluated is not null)))
                result.Add(new(MessageIds.Command(run, "complete"), new RunCompleted(run, model, s.Evaluated?.Results ?? [], 0)));
        }
        return result;
    }

    /// <summary>The CalibrateBlock for block k, or null while it must wait (sequential: for block k−1's final weights).</summary>
    static CalibrateBlock? CalibrationFor(RunState s, PruneRequested r, RunTopology topology, int k)
    {
        var key = CalibrationKeys.For(topology.ModelFingerprint, r, k);
        var noWeights = new Dictionary<string, string>(StringComparer.Ordinal);
        if (k == 0) return new CalibrateBlock(s.RunId, 0, r.ModelLocation, r.Calibration, key, r.Mode, null, null, noWeights);
        if (!s.Calibrated.TryGetValue(k - 1, out var previous)) return null;
        if (r.Mode == PruneMode.OneShot)
            return new CalibrateBlock(s.RunId, k, r.ModelLocation, r.Calibration, key, r.Mode, previous.OutputsKey, null, noWeights);
        var refine = r.Method.Refines;
        var weights = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in DecoderBlockWeights.LinearNames)
        {
            var tensor = LlamaTensorNames.Layer(k - 1, name);
            if (!s.Pruned.ContainsKey(tensor) || (refine && !s.Refined.ContainsKey(tensor))) return null;
            weights[tensor] = FinalWeightsKey(s, tensor, refine);
        }
        return new CalibrateBlock(s.RunId, k, r.ModelLocation, r.Calibration, key, r.Mode, null, previous.InputsKey, weights);
    }

    static string FinalWeightsKey(RunState s, string tensor, bool refine) => refine ? s.Refined[tensor].WeightsKey : s.Pruned[tensor].WeightsKey;
}
