using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace PrunePipeline.Training.Tests;

/// <summary>The training objectives around the blocks (ProxSparse's λ2 term, the distillation loss) against finite differences.</summary>
public class LossGradientTests
{
    [Fact]
    public void ProxSparseLambdaTermWithRespectToTheWeights()
    {
        torch.manual_seed(31);
        var originals = new[] { torch.randn([4, 8], ScalarType.Float64), torch.randn([6, 4], ScalarType.Float64) };
        // Some zeros in Ŵ: their denominator is ε·s(0) = +ε, the case the sign convention is for.
        originals[0][0, 0] = torch.tensor(0.0, ScalarType.Float64);
        var denominators = originals.Select(o => torch.where(o.ge(0), o + 0.1, o - 0.1)).ToArray();
        var weights = originals.Select(o => (o + 0.3 * torch.randn_like(o)).detach()).ToList();
        var err = FiniteDifferences.MaxRelativeError(() => ProxSparseTrainer.LambdaTerm(weights, originals, denominators), weights);
        Assert.True(err < 1e-6, $"relative error {err}");
    }

    [Theory]
    [InlineData("kl", 1.0)]
    [InlineData("kl", 2.0)]
    [InlineData("kl+lm", 1.0)]
    public void DistillationLossWithRespectToTheStudentLogits(string loss, double temperature)
    {
        torch.manual_seed(32);
        var logits = torch.randn([2, 5, 16], ScalarType.Float64);
        var ids = torch.randint(16, [2, 5], ScalarType.Int64);
        using var teacher = (torch.randn([2, 5, 16], ScalarType.Float64) / temperature).log_softmax(-1);
        var options = new FinetuneOptions(loss, Temperature: temperature);
        var err = FiniteDifferences.MaxRelativeError(() => MaskedFinetuner.Loss(logits, ids, teacher, options), [logits]);
        Assert.True(err < 1e-6, $"relative error {err}");
    }
}
