using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Logging;
using PrunePipeline.Artifacts;
using PrunePipeline.Contracts;
using PrunePipeline.Errors;
using PrunePipeline.ServiceDefaults;
using PrunePipeline.ServiceDefaults.Trust;
using PrunePipeline.Tensors;
using PrunePipeline.Training;

namespace PrunePipeline.Finetuner;

/// <summary>
/// Global masked finetuning of the assembled model with the training library's <see cref="TrainingRun.Finetune"/>
/// (the code path of <c>prunectl prune --finetune</c>): the assembled directory is downloaded, the dense model (the
/// teacher) read under the model roots, and the finetuned HF directory (same masks, report.json with the curve)
/// uploaded under the command's output prefix. Every <see cref="FinetuneSettings.CheckpointEvery"/> steps a checkpoint
/// is stored and <see cref="FinetuneCheckpointed"/> published; a redelivered or re-sent command continues from the
/// run's last RECORDED checkpoint, and ends with the same weights as an uninterrupted run.
/// </summary>
public sealed class FinetuneModelConsumer(IArtifactStore store, WorkerIdentity worker, RunGuard guard,
    ILogger<FinetuneModelConsumer> logger) : IConsumer<FinetuneModel>
{
    public Task Consume(ConsumeContext<FinetuneModel> context) =>
        context.RunStage(context.Message.RunId, PipelineStages.Finetune, logger, () => Finetune(context));

    async Task Finetune(ConsumeContext<FinetuneModel> context)
    {
        var m = context.Message;
        var s = m.Settings;
        var ct = context.CancellationToken;
        // Trust: only a pending command of a running run, for the run's own model and data under the roots.
        var run = await guard.AdmittedStateAsync(m.RunId, "FinetuneModel", r => r.Finetuned is not null, m.ModelLocation, s.Files(m.Calibration), ct);
        if (run is null) return;
        var resultKey = StageResults.Key(m.RunId, "finetune", "model");
        if (await StageResults.TryRepublishAsync<ModelFinetuned>(context, store, m.RunId, resultKey, logger, ct)) return;
        s.Validate();
        ArtifactKeys.ValidatePrefix(m.ModelPrefix);
        ArtifactKeys.ValidatePrefix(m.OutputPrefix);

        var recorded = run.FinetuneCheckpoint;
        var resume = recorded is null ? null : await FinetuneCheckpointStore.LoadAsync(store, recorded.Prefix, ct);
        if (resume is not null) logger.LogInformation("run {Run}: finetuning resumes after step {Step} ({Prefix})", m.RunId, resume.Step, recorded!.Prefix);
        var sw = Stopwatch.StartNew();
        var work = Directory.CreateTempSubdirectory("prune-finetune-").FullName;
        try
        {
            var pruned = Path.Combine(work, "pruned");
            await store.DownloadDirectoryAsync(m.ModelPrefix, pruned, ct);
            var output = Path.Combine(work, "finetuned");
            var checkpoints = new FinetuneCheckpoints(s.CheckpointEvery, state => CheckpointAsync(context, state).GetAwaiter().GetResult(), resume);
            TrainingReport report;
            try
            {
                var data = new TrainingData(s.DataOf(m.Calibration), s.Stories is null ? null : StoryRange.Parse(s.Stories), s.ExcludeDocs,
                    m.Calibration.SeqLen, s.BatchSize, m.Calibration.Seed);
                // No evaluation here: the evaluator measures the finetuned model next, as it does every run's result.
                report = TrainingRun.Finetune(new TrainingRequest(pruned, m.ModelLocation, output, data, [], EvaluateDense: false,
                    Target: ComputeTarget.Default), new FinetuneOptions(s.Loss, s.Steps, s.LearningRate), null, ct, checkpoints);
            }
            catch (ArgumentException e)
            {
                throw new InvalidSettingException("finetune", e.Message); // the training library's refusal of a setting or input
            }
            foreach (var old in await store.ListAsync(m.OutputPrefix.TrimEnd('/') + "/", ct)) await store.DeleteAsync(old, ct);
            await store.UploadDirectoryAsync(output, m.OutputPrefix, ct);
            var result = new ModelFinetuned(m.RunId, m.OutputPrefix, report.Curve.Count, resume?.Step ?? 0, report.Curve[0].Loss, report.Curve[^1].Loss,
                sw.Elapsed.TotalSeconds, worker.Id);
            await StageResults.PutAsync(store, resultKey, result, ct); // after the artifacts: a re-sent command re-publishes it
            logger.LogInformation("run {Run}: finetuned {Steps} steps ({Resumed} from a checkpoint), loss {First:G4} → {Last:G4}", m.RunId,
                result.Steps, result.ResumedFromStep, result.FirstLoss, result.LastLoss);
            await context.PublishReply(m.RunId, result);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Stores the checkpoint, then records it (event id derived from the command and the step, so a step redone
    /// after a crash appends nothing twice).</summary>
    async Task CheckpointAsync(ConsumeContext<FinetuneModel> context, FinetuneState state)
    {
        var m = context.Message;
        var prefix = ArtifactKeys.FinetuneCheckpoint(m.RunId, state.Step);
        await FinetuneCheckpointStore.SaveAsync(store, prefix, state, context.CancellationToken);
        await context.Publish(new FinetuneCheckpointed(m.RunId, state.Step, prefix, state.Curve[^1].Loss, worker.Id),
            c => c.MessageId = MessageIds.Reply(context.MessageId ?? Guid.NewGuid(), m.RunId, state.Step), context.CancellationToken);
    }
}
