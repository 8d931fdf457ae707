using PrunePipeline.Contracts;
using PrunePipeline.Errors;
using PrunePipeline.EventStore;
using PrunePipeline.Model;
using PrunePipeline.Coordinator;
using PrunePipeline.ServiceDefaults;

namespace PrunePipeline.Coordinator.Tests;

/// <summary>The coordinator's pure decisions: fold + Pending/Next for sequential, one-shot and replay.</summary>
public sealed class RunPlannerTests
{
    static readonly RunTopology Topology = new(2, "fingerprint");

    static PruneRequested Request(PruneMode mode, string refine = "gd") => new(Guid.NewGuid(), "/models/m",
        new CalibrationSettings("/data/c4.jsonl", Samplers.Packed, 4, 32, 1), mode, new PruneMethodSettings("wanda", refine, 10),
        new EvaluationSettings(new Dictionary<string, string>()));

    static BlockCalibrated Calibrated(Guid run, int k) => new(run, k, $"key{k}",
        new Dictionary<string, string> { ["attn_in"] = $"h{k}a", ["o_in"] = $"h{k}o", ["mlp_in"] = $"h{k}m", ["down_in"] = $"h{k}d" }, $"in{k}", $"out{k}", 128, 1, false);

    static LayerPruned Pruned(Guid run, int k, string name) =>
        new(run, k, LlamaTensorNames.Layer(k, name), 1, 0, 0, 0.1, $"mask/{k}/{name}", $"pruned/{k}/{name}", "w1");

    static LayerRefined Refined(Guid run, int k, string name) => new(run, k, LlamaTensorNames.Layer(k, name), 0.5, 10, 0.1, $"refined/{k}/{name}");

    static RunState Fold(params object[] events) => RunState.Fold(events.Select((e, i) => (e, (long)i + 1)))!;

    [Fact]
    public void Sequential_calibrates_block_by_block_on_the_refined_prefix()
    {
        var r = Request(PruneMode.Sequential);
        var events = new List<object> { r };
        Assert.IsType<CalibrateBlock>(Assert.Single(RunPlanner.Pending(Fold([.. events]), Topology)).Message);

        events.Add(Calibrated(r.RunId, 0));
        var next = RunPlanner.Next(Fold([r]), Fold([.. events]), Topology);
        Assert.Equal(7, next.Count);
        Assert.All(next, p => Assert.IsType<PruneLayer>(p.Message));
        Assert.Equal("h0a", next.Select(p => (PruneLayer)p.Message).Single(p => p.Layer.Contains("q_proj")).HessianKey);
        Assert.Equal("h0d", next.Select(p => (PruneLayer)p.Message).Single(p => p.Layer.Contains("down_proj")).HessianKey);

        foreach (var n in DecoderBlockWeights.LinearNames) events.Add(Pruned(r.RunId, 0, n));
        var pending = RunPlanner.Pending(Fold([.. events]), Topology);
        Assert.Equal(7, pending.Count);
        Assert.All(pending, p => Assert.Equal(r.Method, Assert.IsType<RefineLayer>(p.Message).Method));

        foreach (var n in DecoderBlockWeights.LinearNames.Take(6)) events.Add(Refined(r.RunId, 0, n));
        var before = Fold([.. events]);
        Assert.DoesNotContain(RunPlanner.Pending(before, Topology), p => p.Message is CalibrateBlock);
        events.Add(Refined(r.RunId, 0, DecoderBlockWeights.LinearNames[6]));
        var calibrate = Assert.IsType<CalibrateBlock>(Assert.Single(RunPlanner.Next(before, Fold([.. events]), Topology)).Message);
        Assert.Equal(1, calibrate.Block);
        Assert.Equal(("in0", (string?)null), (calibrate.PreviousInputsKey, calibrate.InputsKey));
        Assert.Equal(7, calibrate.PreviousWeightKeys.Count);
        Assert.All(calibrate.PreviousWeightKeys.Values, k => Assert.StartsWith("refined/0/", k));
        var first = Assert.IsType<CalibrateBlock>(Assert.Single(RunPlanner.Pending(Fold(r), Topology)).Message);
        Assert.NotEqual(first.CalibrationKey, calibrate.CalibrationKey); // block 1 sees a pruned prefix, block 0 does not
    }

    [Fact]
    public void One_shot_chains_calibration_and_fans_out_each_block_at_once()
    {
        var r = Request(PruneMode.OneShot, refine: "none");
        var next = RunPlanner.Next(Fold(r), Fold(r, Calibrated(r.RunId, 0)), Topology);
        Assert.Equal(7, next.Count(p => p.Message is PruneLayer));
        var c = Assert.IsType<CalibrateBlock>(Assert.Single(next, p => p.Message is CalibrateBlock).Message);
        Assert.Equal((1, "out0", null, 0), (c.Block, c.InputsKey, c.PreviousInputsKey, c.PreviousWeightKeys.Count));
        var first = Assert.IsType<CalibrateBlock>(Assert.Single(RunPlanner.Pending(Fold(r), Topology)).Message);
        Assert.Equal(first.CalibrationKey, c.CalibrationKey); // one pass of the dense model: one key for every block
    }

    [Fact]
    public void After_every_layer_the_model_is_assembled_then_the_run_completes()
    {
        var r = Request(PruneMode.OneShot, refine: "none");
        var events = new List<object> { r, Calibrated(r.RunId, 0), Calibrated(r.RunId, 1) };
        for (var k = 0; k < 2; k++)
            foreach (var n in DecoderBlockWeights.LinearNames) events.Add(Pruned(r.RunId, k, n));
        var assemble = Assert.IsType<AssembleModel>(Assert.Single(RunPlanner.Pending(Fold([.. events]), Topology)).Message);
        Assert.Equal(14, assemble.WeightKeys.Count);
        Assert.All(assemble.WeightKeys.Values, k => Assert.StartsWith("pruned/", k));
        events.Add(new ModelAssembled(r.RunId, assemble.OutputPrefix, 2, 1));
        Assert.IsType<RunCompleted>(Assert.Single(RunPlanner.Pending(Fold([.. events]), Topology)).Message);
        events.Add(new RunCompleted(r.RunId, assemble.OutputPrefix, [], 1));
        Assert.Empty(RunPlanner.Pending(Fold([.. events]), Topology));
    }

    [Fact]
    public void The_dense_and_pruned_models_are_evaluated_after_assembly_and_completion_waits_for_both()
    {
        var r = Request(PruneMode.OneShot, refine: "none") with
        {
            Evaluation = new EvaluationSettings(new Dictionary<string, string> { ["c4"] = "/data/c4.json" }, 64),
        };
        Assert.DoesNotContain(RunPlanner.Pending(Fold(r, Calibrated(r.RunId, 0)), Topology), p => p.Message is EvaluateModel);

        var events = new List<object> { r, Calibrated(r.RunId, 0), Calibrated(r.RunId, 1) };
        for (var k = 0; k < 2; k++)
            foreach (var n in DecoderBlockWeights.LinearNames) events.Add(Pruned(r.RunId, k, n));
        events.Add(new ModelAssembled(r.RunId, "models/x", 2, 1));
        var assembled = RunPlanner.Pending(Fold([.. events]), Topology);
        var pruned = Assert.Single(assembled, p => p.Message is EvaluateModel { Model: EvaluatedModel.Pruned });
        var dense = Assert.IsType<EvaluateModel>(Assert.Single(assembled, p => p.Message is EvaluateModel { Model: EvaluatedModel.Dense }).Message);
        Assert.Equal("/models/m", dense.ModelPrefix);
        events.Add(new ModelEvaluated(r.RunId, "models/x", [new DatasetPerplexity("c4", 9, 64, "c4", 100, 2)], 1));
        Assert.DoesNotContain(RunPlanner.Pending(Fold([.. events]), Topology), p => p.Message is RunCompleted);
        events.Add(new ModelEvaluated(r.RunId, "/models/m", [new DatasetPerplexity("c4", 5, 64, "c4", 100, 2)], 1, EvaluatedModel.Dense));
        var done = Assert.IsType<RunCompleted>(Assert.Single(RunPlanner.Pending(Fold([.. events]), Topology)).Message);
        Assert.Equal(9, Assert.Single(done.Perplexities).Perplexity); // the pruned model's, not the dense one's
        Assert.NotEqual(pruned.Id, MessageIds.Command(r.RunId, "evaluate-dense"));
    }

    [Fact]
    public void A_failed_run_sends_nothing_more()
    {
        var r = Request(PruneMode.Sequential);
        Assert.Empty(RunPlanner.Pending(Fold(r, Calibrated(r.RunId, 0), new RunFailed(r.RunId, "prune", "bad")), Topology));
    }

    [Fact]
    public void Replay_reuses_every_hessian_and_fans_out_all_layers()
    {
        var r = Request(PruneMode.Sequential);
        var source = Fold(r, Calibrated(r.RunId, 0), Calibrated(r.RunId, 1));
        var replay = new ReplayRequested(Guid.NewGuid(), r.RunId, PipelineStages.Prune, new ReplayOverrides(Lambda0: 0.5, Beta: 1.2));
        var events = ReplayPlanner.Plan(replay, source, 2);
        var calibrated = events.OfType<BlockCalibrated>().ToList();
        Assert.Equal(2, calibrated.Count);
        Assert.All(calibrated, b => Assert.True(b.Reused && b.ReusedFromRun == r.RunId && b.RunId == replay.RunId));
        Assert.Contains("SOURCE run's pruned prefix", calibrated[1].Note);
        var effective = events.OfType<PruneRequested>().Single();
        Assert.Equal((0.5, 1.2, "wanda"), (effective.Method.Lambda0, effective.Method.Beta, effective.Method.Method));
        var pending = RunPlanner.Pending(RunState.Fold(events.Select((e, i) => (e, (long)i + 1)))!, Topology);
        Assert.Equal(14, pending.Count);
        Assert.All(pending, p => Assert.IsType<PruneLayer>(p.Message));
    }

    /// <summary>"Replays stages with different λ schedules": --schedule in a replay changes the schedule and, with no
    /// --refine, the refinement to the new schedule's default; an explicit --refine or an unchanged method/schedule
    /// keeps what was asked.</summary>
    [Theory]
    [InlineData("prox", "gd", null, "adaptive", null, "prox", "adaptive", "cg")]
    [InlineData("prox", "gd", null, "adaptive", "gd", "prox", "adaptive", "gd")]
    [InlineData("prox", "exact", null, null, null, "prox", "paper", "exact")]
    [InlineData("prox", "gd", "wanda", null, null, "wanda", "paper", "none")]
    [InlineData("wanda", "gd", "prox", "adaptive", null, "prox", "adaptive", "cg")]
    public void Replay_with_another_schedule_or_method_takes_that_defaults_refinement(string sourceMethod, string sourceRefine,
        string? method, string? schedule, string? refine, string expectedMethod, string expectedSchedule, string expectedRefine)
    {
        var r = Request(PruneMode.OneShot, refine: sourceRefine);
        r = r with { Method = r.Method with { Method = sourceMethod, Schedule = "paper" } }; // a run on the paper schedule
        var source = Fold(r, Calibrated(r.RunId, 0), Calibrated(r.RunId, 1));
        var replay = new ReplayRequested(Guid.NewGuid(), r.RunId, PipelineStages.Prune, new ReplayOverrides(Method: method, Refine: refine, Schedule: schedule));
        var events = ReplayPlanner.Plan(replay, source, 2);
        var effective = events.OfType<PruneRequested>().Single().Method;
        Assert.Equal((expectedMethod, expectedSchedule, expectedRefine), (effective.Method, effective.Schedule, effective.Refine));
        var recorded = events.OfType<ReplayRequested>().Single().Overrides;
        Assert.Equal((expectedMethod, expectedSchedule, expectedRefine), (recorded.Method, recorded.Schedule, recorded.Refine));
    }

    [Theory]
    [InlineData(null, 1.0, "beta")]
    [InlineData("weekly", null, "schedule")]
    public void A_replay_message_with_a_value_that_cannot_work_is_refused_naming_the_field(string? schedule, double? beta, string field)
    {
        var r = Request(PruneMode.OneShot);
        var source = Fold(r, Calibrated(r.RunId, 0), Calibrated(r.RunId, 1));
        var replay = new ReplayRequested(Guid.NewGuid(), r.RunId, PipelineStages.Prune, new ReplayOverrides(Beta: beta, Schedule: schedule));
        var e = Assert.Throws<InvalidSettingException>(() => ReplayPlanner.Plan(replay, source, 2));
        Assert.Contains(field, e.Message);
    }

    [Fact]
    public void Replay_of_an_unknown_or_uncalibrated_run_is_refused_with_the_reason()
    {
        var replay = new ReplayRequested(Guid.NewGuid(), Guid.NewGuid(), PipelineStages.Prune, new ReplayOverrides());
        Assert.Contains("does not exist", Assert.Throws<BadInputException>(() => ReplayPlanner.Plan(replay, null, 2)).Message);
        var r = Request(PruneMode.Sequential);
        Assert.Contains("block 1", Assert.Throws<BadInputException>(() => ReplayPlanner.Plan(replay with { SourceRunId = r.RunId }, Fold(r, Calibrated(r.RunId, 0)), 2)).Message);
    }

    [Fact]
    public void Without_dense_evaluation_the_run_completes_after_the_pruned_model_alone()
    {
        var r = Request(PruneMode.OneShot, refine: "none") with
        {
            Evaluation = new EvaluationSettings(new Dictionary<string, string> { ["c4"] = "/data/c4.json" }, 64, EvaluateDense: false),
        };
        var events = new List<object> { r, Calibrated(r.RunId, 0), Calibrated(r.RunId, 1) };
        for (var k = 0; k < 2; k++)
            foreach (var n in DecoderBlockWeights.LinearNames) events.Add(Pruned(r.RunId, k, n));
        events.Add(new ModelAssembled(r.RunId, "models/x", 2, 1));
        var evaluate = Assert.IsType<EvaluateModel>(Assert.Single(RunPlanner.Pending(Fold([.. events]), Topology)).Message);
        Assert.Equal(EvaluatedModel.Pruned, evaluate.Model);
        events.Add(new ModelEvaluated(r.RunId, "models/x", [new DatasetPerplexity("c4", 9, 64, "c4", 100, 2)], 1));
        Assert.IsType<RunCompleted>(Assert.Single(RunPlanner.Pending(Fold([.. events]), Topology)).Message);
    }

    [Fact]
    public void Calibration_keys_address_content_not_runs()
    {
        // Content addressing: what determines the Hessians enters the key, the run id does not.
        var a = Request(PruneMode.Sequential);
        var b = a with { RunId = Guid.NewGuid() };
        Assert.Equal(CalibrationKeys.For("fp", a, 1), CalibrationKeys.For("fp", b, 1));
        Assert.NotEqual(CalibrationKeys.For("fp", a, 0), CalibrationKeys.For("other-model", a, 0));
        Assert.NotEqual(CalibrationKeys.For("fp", a, 0), CalibrationKeys.For("fp", a with { Calibration = a.Calibration with { Seed = 2 } }, 0));
        // Sequential: the method that pruned the prefix changes blocks > 0 only.
        var other = a with { Method = a.Method with { Lambda0 = 0.5 } };
        Assert.Equal(CalibrationKeys.For("fp", a, 0), CalibrationKeys.For("fp", other, 0));
        Assert.NotEqual(CalibrationKeys.For("fp", a, 1), CalibrationKeys.For("fp", other, 1));
        // One-shot: the dense model's activations, whatever the method.
        var oneShot = a with { Mode = PruneMode.OneShot };
        Assert.Equal(CalibrationKeys.For("fp", oneShot, 1), CalibrationKeys.For("fp", oneShot with { Method = other.Method }, 1));
        Assert.NotEqual(CalibrationKeys.For("fp", oneShot, 0), CalibrationKeys.For("fp", a, 0));
    }

    [Fact]
    public void Finetuning_runs_after_assembly_and_its_model_is_the_one_evaluated_and_completed()
    {
        var r = Request(PruneMode.OneShot, "none") with
        {
            Evaluation = new EvaluationSettings(new Dictionary<string, string> { ["tinystories"] = "/data/ts.txt" }),
            Finetune = new FinetuneSettings(Steps: 6, CheckpointEvery: 2),
        };
        var events = new List<object> { r };
        for (var k = 0; k < Topology.Blocks; k++)
        {
            events.Add(Calibrated(r.RunId, k));
            foreach (var n in DecoderBlockWeights.LinearNames) events.Add(Pruned(r.RunId, k, n));
        }
        events.Add(new ModelAssembled(r.RunId, "models/x", 2, 1));
        var assembled = Fold([.. events]);
        var finetune = Assert.IsType<FinetuneModel>(Assert.Single(RunPlanner.Pending(assembled, Topology)).Message);
        Assert.Equal(("models/x", r.ModelLocation, r.Finetune, r.Calibration), (finetune.ModelPrefix, finetune.ModelLocation, finetune.Settings, finetune.Calibration));

        // A checkpoint changes nothing to send (the same command, same id, stays pending).
        events.Add(new FinetuneCheckpointed(r.RunId, 2, "finetuned/x/checkpoints/00000002", 1.5));
        var checkpointed = Fold([.. events]);
        Assert.Equal(2, checkpointed.FinetuneCheckpoint?.Step);
        Assert.Empty(RunPlanner.Next(assembled, checkpointed, Topology));
        events.Add(new FinetuneCheckpointed(r.RunId, 1, "older", 2)); // an older checkpoint recorded late never replaces a newer one
        Assert.Equal(2, Fold([.. events]).FinetuneCheckpoint?.Step);

        events.Add(new ModelFinetuned(r.RunId, finetune.OutputPrefix, 6, 0, 2, 1, 3));
        var next = RunPlanner.Next(checkpointed, Fold([.. events]), Topology);
        Assert.Equal(2, next.Count);
        Assert.All(next, p => Assert.Equal(finetune.OutputPrefix == ((EvaluateModel)p.Message).ModelPrefix, ((EvaluateModel)p.Message).Model == EvaluatedModel.Pruned));
        events.Add(new ModelEvaluated(r.RunId, finetune.OutputPrefix, [], 1));
        events.Add(new ModelEvaluated(r.RunId, r.ModelLocation, [], 1, EvaluatedModel.Dense));
        var completed = Assert.IsType<RunCompleted>(Assert.Single(RunPlanner.Pending(Fold([.. events]), Topology)).Message);
        Assert.Equal(finetune.OutputPrefix, completed.ModelPrefix);
    }

    [Fact]
    public void Without_finetuning_the_assembled_model_is_evaluated_at_once()
    {
        var r = Request(PruneMode.OneShot, "none") with { Evaluation = new EvaluationSettings(new Dictionary<string, string> { ["c4"] = "/data/c4" }) };
        var events = new List<object> { r };
        for (var k = 0; k < Topology.Blocks; k++)
        {
            events.Add(Calibrated(r.RunId, k));
            foreach (var n in DecoderBlockWeights.LinearNames) events.Add(Pruned(r.RunId, k, n));
        }
        events.Add(new ModelAssembled(r.RunId, "models/x", 2, 1));
        var pending = RunPlanner.Pending(Fold([.. events]), Topology);
        Assert.DoesNotContain(pending, p => p.Message is FinetuneModel);
        Assert.Equal("models/x", pending.Select(p => p.Message).OfType<EvaluateModel>().Single(e => e.Model == EvaluatedModel.Pruned).ModelPrefix);
    }
}
