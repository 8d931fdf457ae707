using PrunePipeline.Model;
using PrunePipeline.Tensors;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PrunePipeline.Training.Tests;

/// <summary>Resumable masked finetuning (the pipeline's finetuner): a run continued from a checkpoint ends bit-identical
/// to one that never stopped, and a checkpoint that does not fit the run is refused.</summary>
public class FinetuneResumeTests
{
    private static readonly LlamaConfig Config = TestData.SmallConfig();

    private static TrainableLlama Model(int seed)
    {
        var rng = new Random(seed);
        var blocks = TestData.RandomBlocks(Config, rng);
        var embedding = TestData.RandomArray(rng, (long)Config.VocabSize * Config.HiddenSize);
        var norm = Enumerable.Repeat(1f, Config.HiddenSize).ToArray();
        return TrainableLlama.Create(Config, blocks, embedding, norm, embedding, 16, ComputeTarget.Cpu);
    }

    private static List<long[,]> Batches()
    {
        var rng = new Random(3);
        return [.. Enumerable.Range(0, 3).Select(_ =>
        {
            var ids = new long[2, 16];
            for (var i = 0; i < 2; i++) for (var t = 0; t < 16; t++) ids[i, t] = rng.Next(Config.VocabSize);
            return ids;
        })];
    }

    private static Tensor[] Masks(TrainableLlama model) =>
        [.. model.Parameters.Select(p =>
        {
            var w = p.detach().contiguous().data<float>().ToArray();
            var mask = TrainingRun.TopTwoMask(w, (int)p.shape[0], (int)p.shape[1]);
            return torch.tensor(mask).reshape(p.shape).to(p.dtype).DetachFromDisposeScope();
        })];

    private static float[][] Weights(TrainableLlama model) => [.. Enumerable.Range(0, Config.NumHiddenLayers).SelectMany(model.ExportLinears)];

    [Fact]
    public void A_run_resumed_from_a_checkpoint_ends_bit_identical_to_an_uninterrupted_one()
    {
        var options = new FinetuneOptions("kl+lm", Steps: 7, LearningRate: 3e-3);
        var states = new List<FinetuneState>();
        using var teacher = Model(2);
        IReadOnlyList<TrainingStep> straight;
        float[][] straightWeights;
        Tensor[] masks;
        using (var student = Model(1))
        {
            masks = Masks(student);
            straight = MaskedFinetuner.Train(student, teacher, masks, Batches(), options, checkpoints: new FinetuneCheckpoints(3, states.Add));
            straightWeights = Weights(student);
        }
        Assert.Equal([3, 6], states.Select(s => s.Step)); // every 3 steps, never after the last one

        using var resumed = Model(1);
        using (torch.no_grad())
            foreach (var p in resumed.Parameters) p.zero_(); // the checkpoint's weights must replace whatever is there
        var curve = MaskedFinetuner.Train(resumed, teacher, masks, Batches(), options,
            checkpoints: new FinetuneCheckpoints(3, _ => { }, states[0]));
        Assert.Equal(straight.Select(s => s.Loss), curve.Select(s => s.Loss));
        Assert.Equal(straight.Select(s => s.GradNorm), curve.Select(s => s.GradNorm));
        Assert.Equal(straight.Take(3).Select(s => s.Seconds), curve.Take(3).Select(s => s.Seconds)); // not recomputed
        var resumedWeights = Weights(resumed);
        for (var i = 0; i < straightWeights.Length; i++) Assert.Equal(straightWeights[i], resumedWeights[i]);
        Assert.NotEqual(states[0].Weights[0], straightWeights[0]); // training went on after the checkpoint
    }

    [Fact]
    public void A_checkpoint_that_does_not_fit_the_run_is_refused()
    {
        var states = new List<FinetuneState>();
        using var student = Model(1);
        var masks = Masks(student);
        MaskedFinetuner.Train(student, null, masks, Batches(), new FinetuneOptions("lm", Steps: 3, LearningRate: 1e-3),
            checkpoints: new FinetuneCheckpoints(2, states.Add));
        var state = Assert.Single(states);
        using var other = Model(1);
        var e = Assert.Throws<InvalidDataException>(() => MaskedFinetuner.Train(other, null, masks, Batches(),
            new FinetuneOptions("lm", Steps: 2, LearningRate: 1e-3), checkpoints: new FinetuneCheckpoints(2, _ => { }, state)));
        Assert.Contains("cannot resume a run of 2 steps", e.Message);
        var truncated = state with { Weights = [.. state.Weights.Take(3)] };
        Assert.Throws<InvalidDataException>(() => MaskedFinetuner.Train(other, null, masks, Batches(),
            new FinetuneOptions("lm", Steps: 3, LearningRate: 1e-3), checkpoints: new FinetuneCheckpoints(2, _ => { }, truncated)));
    }
}
