using PrunePipeline.Tensors;
using TorchSharp;

namespace PrunePipeline.Tensors.Tests;

public class TorchDevicesTests
{
    [Theory]
    [InlineData("cpu")]
    [InlineData(" CPU ")]
    public void CpuParses(string spec) => Assert.Equal(DeviceType.CPU, TorchDevices.Parse(spec).type);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("auto")]
    public void AutoPicksCudaOnlyWhereAvailable(string? spec) =>
        Assert.Equal(torch.cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU, TorchDevices.Parse(spec).type);

    [Theory]
    [InlineData("tpu")]
    [InlineData("cuda:x")]
    [InlineData("cuda:-1")]
    [InlineData("cuda0")]
    public void UnknownDevicesAreRejectedWithTheirName(string spec)
    {
        var error = Assert.Throws<ArgumentException>(() => TorchDevices.Parse(spec));
        Assert.Contains(spec, error.Message);
    }

    [Fact]
    public void CudaWithoutAGpuSaysHowToGetOne()
    {
        if (torch.cuda.is_available()) return; // only meaningful on a machine without CUDA
        var error = Assert.Throws<ArgumentException>(() => TorchDevices.Parse("cuda:0"));
        Assert.Contains("--device cpu", error.Message);
    }

    [Fact]
    public void NamesAreCanonical()
    {
        Assert.Equal("cpu", TorchDevices.Name(torch.CPU));
        Assert.Equal("cuda:1", TorchDevices.Name(new torch.Device(DeviceType.CUDA, 1)));
    }
}
