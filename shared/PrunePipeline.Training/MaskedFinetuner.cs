using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunePipeline.Training;

/// <summary>
/// Global masked finetuning: with the 0/1 masks fixed, train the kept weights of every block linear of the pruned
/// model against the dense teacher's next-token distribution (KL(p_teacher ‖ p_student), temperature τ, scaled by τ²)
/// and/or the LM loss, with AdamW (no weight decay). Gradients are masked before the step and the weights after it,
/// so a pruned weight stays exactly 0 and the mask never changes.
/// </summary>
public static class MaskedFinetuner
{
    /// <param name="student">The pruned model (trained in place).</param>
    /// <param name="teacher">The dense model (only for the kl losses; never trained).</param>
    /// <param name="masks">One 0/1 tensor per <see cref="TrainableLlama.Parameters"/> entry, same shape, device and dtype.</param>
    public static IReadOnlyList<TrainingStep> Train(TrainableLlama student, TrainableLlama? teacher, IReadOnlyList<Tensor> masks,
        IReadOnlyList<long[,]> batches, FinetuneOptions options, Action<TrainingStep>? progress = null, CancellationToken ct = default,
        FinetuneCheckpoints? checkpoints = null)
    {
        options.Validate();
        if (batches.Count == 0) throw new ArgumentException("no training batches.", nameof(batches));
        if (options.UsesTeacher && teacher is null) throw new ArgumentException($"finetune loss '{options.Loss}' needs the dense teacher model.");
        var ps = student.Parameters;
        if (masks.Count != ps.Count) throw new ArgumentException($"{masks.Count} masks for {ps.Count} matrices.", nameof(masks));
        for (var i = 0; i < ps.Count; i++)
            if (!masks[i].shape.SequenceEqual(ps[i].shape))
                throw new ArgumentException($"mask {i} has shape [{string.Join(", ", masks[i].shape)}], its matrix [{string.Join(", ", ps[i].shape)}].", nameof(masks));
        if (checkpoints is { Every: < 1 }) throw new ArgumentException($"checkpoint every must be ≥ 1, got {checkpoints.Every}.", nameof(checkpoints));
        var resume = checkpoints?.ResumeFrom;
        if (resume is not null) Restore(ps, resume, options);
        using (torch.no_grad())
            for (var i = 0; i < ps.Count; i++) ps[i].mul_(masks[i]);

        var groups = ps.Sum(p => p.numel() / 4);
        var curve = new List<TrainingStep>(options.Steps);
        if (resume is not null) curve.AddRange(resume.Curve);
        using var opt = new Optimizers(ps, options.LearningRate, options.Steps, options.WarmupFraction, options.ClipNorm);
        if (resume is not null) opt.LoadState(resume.Optimizer);
        for (var step = resume?.Step ?? 0; step < options.Steps; step++)
        {
            ct.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            using var scope = torch.NewDisposeScope();
            opt.ZeroGrad();
            using var ids = torch.tensor(batches[step % batches.Count]);
            Tensor? teacherLogProbs = null;
            if (options.UsesTeacher)
                using (torch.no_grad())
                    teacherLogProbs = (teacher!.Logits(ids).to_type(ScalarType.Float32) / options.Temperature).log_softmax(-1);
            var loss = student.Backward(ids, logits => Loss(logits, ids, teacherLogProbs, options));
            for (var i = 0; i < ps.Count; i++) ps[i].grad?.mul_(masks[i]);
            var (lr, norm) = opt.Step(step);
            // AdamW's update of a weight whose gradient was always 0 is 0 already; the multiply makes "exactly 0" a
            // guarantee rather than a property of the optimizer's arithmetic.
            using (torch.no_grad())
                for (var i = 0; i < ps.Count; i++) ps[i].mul_(masks[i]);
            if (!double.IsFinite(loss)) throw new InvalidOperationException($"finetune step {step}: the loss is {loss} (lower --finetune-lr).");
            long dense = 0;
            foreach (var p in ps) dense += GroupProx.DenseGroups(p);
            var record = new TrainingStep(step, loss, 0, 1 - dense / (double)groups, lr, norm, clock.Elapsed.TotalSeconds);
            curve.Add(record);
            progress?.Invoke(record);
            if (checkpoints is not null && (step + 1) % checkpoints.Every == 0 && step + 1 < options.Steps)
                checkpoints.Save(new FinetuneState(step + 1, [.. ps.Select(Export)], opt.SaveState(), [.. curve]));
        }
        return curve;
    }

    /// <summary>Loads a checkpoint's weights into the parameters (after checking it belongs to this run's shapes and steps).</summary>
    static void Restore(IReadOnlyList<TorchSharp.Modules.Parameter> ps, FinetuneState state, FinetuneOptions options)
    {
        if (state.Step < 1 || state.Step >= options.Steps || state.Curve.Count != state.Step)
            throw new InvalidDataException($"finetune checkpoint: step {state.Step} with {state.Curve.Count} curve points cannot resume a run of {options.Steps} steps.");
        if (state.Weights.Count != ps.Count) throw new InvalidDataException($"finetune checkpoint holds {state.Weights.Count} matrices, the model has {ps.Count}.");
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        for (var i = 0; i < ps.Count; i++)
        {
            if (state.Weights[i].LongLength != ps[i].numel())
                throw new InvalidDataException($"finetune checkpoint: matrix {i} has {state.Weights[i].LongLength} values, the model's {ps[i].numel()}.");
            ps[i].copy_(torch.tensor(state.Weights[i]).reshape(ps[i].shape).to(ps[i].dtype, ps[i].device));
        }
    }

    static float[] Export(TorchSharp.Modules.Parameter p)
    {
        using var scope = torch.NewDisposeScope();
        return p.detach().to(ScalarType.Float32, torch.CPU).contiguous().data<float>().ToArray();
    }

    /// <summary>The finetuning objective of student logits [B, T, V].</summary>
    internal static Tensor Loss(Tensor logits, Tensor ids, Tensor? teacherLogProbs, FinetuneOptions options)
    {
        using var scope = torch.NewDisposeScope();
        // fp32 at least (bf16/fp16 logits are upcast); fp64 stays fp64, as in LmLoss, so gradients can be checked in fp64.
        var dtype = logits.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        Tensor total = torch.zeros([], dtype, logits.device);
        if (teacherLogProbs is not null)
        {
            var tau = options.Temperature;
            var student = (logits.to_type(dtype) / tau).log_softmax(-1);
            var teacher = teacherLogProbs.to_type(dtype);
            var kl = (teacher.exp() * (teacher - student)).sum(-1).mean() * (tau * tau);
            total = total + kl;
        }
        if (options.Loss is "lm" or "kl+lm") total = total + TrainableLlama.LmLoss(logits, ids);
        return total.MoveToOuterDisposeScope();
    }
}
