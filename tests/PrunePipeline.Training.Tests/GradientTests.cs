using PrunePipeline.Model;
using PrunePipeline.Tensors;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace PrunePipeline.Training.Tests;

/// <summary>Autograd gradients of every block operation against central finite differences, in fp64 on small random shapes.</summary>
public class GradientTests
{
    private const double Tolerance = 1e-6;
    private static readonly ComputeTarget Fp64 = new(torch.CPU, ScalarType.Float64);

    private static Tensor Randn(params long[] shape) => torch.randn(shape, ScalarType.Float64);

    [Fact]
    public void RmsNorm()
    {
        torch.manual_seed(3);
        var x = Randn(2, 5, 8);
        var w = Randn(8);
        var err = FiniteDifferences.MaxRelativeError(() => FiniteDifferences.Project(DecoderBlock.RmsNorm(x, w, 1e-5f), 7), [x, w]);
        Assert.True(err < Tolerance, $"relative error {err}");
    }

    [Fact]
    public void Rope()
    {
        var config = TestData.SmallConfig();
        using var rope = new RopeTables(config, 16, Fp64);
        torch.manual_seed(4);
        var x = Randn(2, 6, 3, config.HeadDim);
        var err = FiniteDifferences.MaxRelativeError(() => FiniteDifferences.Project(rope.Apply(x), 8), [x]);
        Assert.True(err < Tolerance, $"relative error {err}");
    }

    [Fact]
    public void CausalGroupedQueryAttention()
    {
        torch.manual_seed(5);
        // B=2, H=4 query heads over G=2 kv heads, T=7, D=8: as the block calls it.
        var q = Randn(2, 4, 7, 8);
        var k = Randn(2, 2, 7, 8);
        var v = Randn(2, 2, 7, 8);
        Tensor Attn() => F.scaled_dot_product_attention(q, k.repeat_interleave(2, 1), v.repeat_interleave(2, 1), null, 0.0, true);
        var err = FiniteDifferences.MaxRelativeError(() => FiniteDifferences.Project(Attn(), 9), [q, k, v]);
        Assert.True(err < Tolerance, $"relative error {err}");
    }

    [Fact]
    public void SwiGlu()
    {
        torch.manual_seed(6);
        var x = Randn(3, 8);
        var gate = Randn(12, 8);
        var up = Randn(12, 8);
        var down = Randn(8, 12);
        Tensor Mlp() => F.linear(F.silu(F.linear(x, gate)) * F.linear(x, up), down);
        var err = FiniteDifferences.MaxRelativeError(() => FiniteDifferences.Project(Mlp(), 10), [x, gate, up, down]);
        Assert.True(err < Tolerance, $"relative error {err}");
    }

    [Fact]
    public void WholeBlockWithRespectToInputAndAllWeights()
    {
        var config = TestData.SmallConfig();
        using var rope = new RopeTables(config, 16, Fp64);
        var blocks = TestData.RandomBlocks(config, new Random(11));
        using var model = TrainableLlama.Create(config, blocks, TestData.RandomArray(new Random(1), 512 * 32), Enumerable.Repeat(1f, 32).ToArray(),
            TestData.RandomArray(new Random(2), 512 * 32), 16, Fp64);
        torch.manual_seed(12);
        var h = Randn(2, 6, 32);
        var leaves = new List<Tensor> { h };
        for (var i = 0; i < 7; i++) leaves.Add(model.Linear(0, i));
        var block = BlockTensors.Of([.. Enumerable.Range(0, 7).Select(i => (Tensor)model.Linear(0, i))],
            TensorMemory.Wrap(blocks[0].InputLayerNorm, 32).to(ScalarType.Float64), TensorMemory.Wrap(blocks[0].PostAttentionLayerNorm, 32).to(ScalarType.Float64));
        var err = FiniteDifferences.MaxRelativeError(() => FiniteDifferences.Project(DecoderBlock.Forward(block, config, h, rope), 13), leaves);
        Assert.True(err < Tolerance, $"relative error {err}");
    }

    [Fact]
    public void HeadAndWholeModelLmLossWithRespectToEveryLinear()
    {
        var config = TestData.SmallConfig();
        using var model = TrainableLlama.Create(config, TestData.RandomBlocks(config, new Random(21)), TestData.RandomArray(new Random(3), 512 * 32),
            Enumerable.Repeat(1f, 32).ToArray(), TestData.RandomArray(new Random(4), 512 * 32, 0.2), 16, Fp64);
        var rng = new Random(22);
        var ids = new long[2, 9];
        for (var b = 0; b < 2; b++) for (var t = 0; t < 9; t++) ids[b, t] = rng.Next(512);
        using var tokens = torch.tensor(ids);
        var err = FiniteDifferences.MaxRelativeError(() => model.LmLoss(tokens), model.Parameters.Cast<Tensor>().ToList());
        Assert.True(err < Tolerance, $"relative error {err}");
    }
}
