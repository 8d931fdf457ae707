using PrunePipeline.Tensors;
using TorchSharp;

namespace PrunePipeline.Tensors.Tests;

public class TensorMemoryTests
{
    [Fact]
    public void WrapViewsTheArray_EvenAfterACollection()
    {
        var values = new float[] { 1, 2, 3, 4, 5, 6 };
        using var t = TensorMemory.Wrap(values, 2, 3);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        values[4] = 50;
        Assert.Equal(50f, t[1, 1].item<float>());
        Assert.Throws<ArgumentException>(() => TensorMemory.Wrap(values, 4, 2));
    }

    [Fact]
    public void FloatsIsTheTensorsOwnMemory()
    {
        using var t = torch.zeros(3, 4);
        TensorMemory.Floats(t)[5] = 7;
        Assert.Equal(7f, t[1, 1].item<float>());
        using var transposed = t.t();
        Assert.Throws<ArgumentException>(() => TensorMemory.Floats(transposed));
        using var doubles = torch.zeros(2, torch.float64);
        Assert.Throws<ArgumentException>(() => TensorMemory.Floats(doubles));
    }

    [Fact]
    public void FloatsOfANarrowedRowBlockStartsAtItsOffset()
    {
        using var t = torch.arange(12, torch.float32).reshape(4, 3);
        using var rows = t.narrow(0, 2, 2); // contiguous, storage offset 6
        Assert.Equal([6f, 7, 8, 9, 10, 11], TensorMemory.Floats(rows).ToArray());
    }

    [Fact]
    public void CopyAndCopyToRoundTripAnyDtype()
    {
        float[] values = [1.5f, -2, 3.25f, 4];
        using var t = TensorMemory.Copy(values, 2, 2);
        using var half = t.to(torch.bfloat16);
        var back = new float[4];
        TensorMemory.CopyTo(half, back);
        Assert.Equal(values, back); // all four are exact in bf16
        Assert.Throws<ArgumentException>(() => TensorMemory.CopyTo(t, new float[3]));
    }
}
