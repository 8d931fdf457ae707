using TorchSharp;

namespace PrunePipeline.Tensors;

/// <summary>Parses the <c>--device</c> / <c>Pipeline:Device</c> setting: <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c>, or
/// <c>auto</c>/empty (CUDA when available, else CPU).</summary>
public static class TorchDevices
{
    /// <summary>The device named by <paramref name="spec"/>; loads libtorch first.</summary>
    /// <exception cref="ArgumentException">an unknown name, or CUDA asked for where none is available.</exception>
    public static torch.Device Parse(string? spec)
    {
        TorchRuntime.Initialize();
        var text = (spec ?? "").Trim().ToLowerInvariant();
        if (text is "" or "auto")
            return torch.cuda.is_available() ? new torch.Device(DeviceType.CUDA, 0) : torch.CPU;
        if (text == "cpu") return torch.CPU;
        if (text == "cuda" || text.StartsWith("cuda:", StringComparison.Ordinal))
        {
            var index = 0;
            if (text.Length > 4 && (!int.TryParse(text.AsSpan(5), out index) || index < 0))
                throw new ArgumentException($"device '{spec}': the CUDA index must be a non-negative integer (cuda:0)");
            if (!torch.cuda.is_available())
                throw new ArgumentException(
                    $"device '{spec}': CUDA is not available here (this build uses libtorch for CPU, or no GPU/driver is " +
                    "present). Build with -p:TorchBackend=cuda on a GPU machine, or use --device cpu.");
            var count = torch.cuda.device_count();
            if (index >= count)
                throw new ArgumentException($"device '{spec}': only {count} CUDA device(s) are present (cuda:0..cuda:{count - 1})");
            return new torch.Device(DeviceType.CUDA, index);
        }
        throw new ArgumentException($"device '{spec}': expected cpu, cuda, cuda:N or auto");
    }

    /// <summary>The canonical name of a device, as recorded in events and reports: <c>cpu</c> or <c>cuda:N</c>.</summary>
    public static string Name(torch.Device device) =>
        device.type == DeviceType.CUDA ? $"cuda:{Math.Max(0, device.index)}" : device.type.ToString().ToLowerInvariant();
}
