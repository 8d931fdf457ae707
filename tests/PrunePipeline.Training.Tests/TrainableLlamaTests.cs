using PrunePipeline.Model;
using PrunePipeline.Tensors;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PrunePipeline.Training.Tests;

public class TrainableLlamaTests
{
    private static (LlamaConfig, IReadOnlyList<DecoderBlockWeights>, float[], float[], float[]) Random(int seed)
    {
        var config = TestData.SmallConfig();
        var rng = new Random(seed);
        var norm = Enumerable.Range(0, 32).Select(i => 1f + 0.01f * i).ToArray();
        return (config, TestData.RandomBlocks(config, rng), TestData.RandomArray(rng, 512 * 32), norm, TestData.RandomArray(rng, 512 * 32, 0.3));
    }

    [Fact]
    public void LossEqualsTheInferenceForwardsNll()
    {
        var (config, blocks, emb, norm, head) = Random(1);
        var tokens = Enumerable.Range(0, 20).Select(i => (i * 37 + 5) % 512).ToArray();
        var inference = new LlamaForward(config, blocks, emb, norm, head, 32);
        var expected = inference.SequenceNll(tokens) / (tokens.Length - 1);
        using var model = TrainableLlama.Create(config, blocks, emb, norm, head, 32, ComputeTarget.Cpu);
        using var ids = torch.tensor(tokens.Select(t => (long)t).ToArray()).reshape(1, -1);
        using var loss = model.LmLoss(ids);
        Assert.Equal(expected, loss.item<float>(), 5);
    }

    [Fact]
    public void CheckpointedBackwardGivesTheSameGradientsAsPlainAutograd()
    {
        var (config, blocks, emb, norm, head) = Random(2);
        var ids = new long[2, 12];
        var rng = new Random(3);
        for (var b = 0; b < 2; b++) for (var t = 0; t < 12; t++) ids[b, t] = rng.Next(512);
        using var tokens = torch.tensor(ids);
        var target = new ComputeTarget(torch.CPU, ScalarType.Float64);
        double[][] Grads(bool checkpointing, out double loss)
        {
            using var model = TrainableLlama.Create(config, blocks, emb, norm, head, 16, target);
            model.Checkpointing = checkpointing;
            loss = model.Backward(tokens, logits => TrainableLlama.LmLoss(logits, tokens));
            return [.. model.Parameters.Select(p => p.grad!.contiguous().data<double>().ToArray())];
        }
        var plain = Grads(false, out var l1);
        var ckpt = Grads(true, out var l2);
        Assert.Equal(l1, l2, 12);
        for (var i = 0; i < plain.Length; i++)
        {
            var scale = plain[i].Max(Math.Abs);
            Assert.True(scale > 0, $"parameter {i} got no gradient");
            for (var j = 0; j < plain[i].Length; j++) Assert.True(Math.Abs(plain[i][j] - ckpt[i][j]) <= 1e-10 * scale, $"parameter {i}[{j}]");
        }
    }

    [Fact]
    public void ExportLinearsRoundTripsAndNeverTouchesTheInputArrays()
    {
        var (config, blocks, emb, norm, head) = Random(4);
        var q = blocks[1].Q.ToArray();
        using var model = TrainableLlama.Create(config, blocks, emb, norm, head, 16, ComputeTarget.Cpu);
        Assert.Equal(q, model.ExportLinears(1)[0]);
        using (torch.no_grad()) model.Linear(1, 0).mul_(2);
        Assert.Equal(q, blocks[1].Q);
        Assert.Equal(q.Select(v => v * 2).ToArray(), model.ExportLinears(1)[0]);
    }
}
