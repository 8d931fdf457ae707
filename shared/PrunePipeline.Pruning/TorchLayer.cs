using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PrunePipeline.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunePipeline.Pruning;

/// <summary>
/// Moves layer data between .NET spans and torch tensors (fp32, row-major, contiguous) and exposes a CPU tensor's own
/// memory to our C# kernels. <see cref="Tensor.bytes"/> of a contiguous CPU tensor is a span over its storage (no copy),
/// so the kernels read and write the tensor in place.
/// </summary>
internal static class TorchLayer
{
    /// <summary>A rows×cols fp32 tensor on <paramref name="device"/> holding a copy of <paramref name="data"/>.</summary>
    public static Tensor FromSpan(ReadOnlySpan<float> data, long rows, long cols, Device device)
    {
        TorchRuntime.Initialize();
        var cpu = torch.empty(rows, cols, ScalarType.Float32);
        data.CopyTo(Floats(cpu));
        if (device.type == DeviceType.CPU) return cpu;
        using (cpu) return cpu.to(device);
    }

    /// <summary>
    /// <paramref name="data"/> as a rows×cols fp32 tensor on <paramref name="device"/>: on the CPU a view of the array
    /// itself (pinned while the tensor lives, no copy), elsewhere a copy on the device. For inputs the pruner only reads:
    /// a 7B down_proj's H is 485 MB, and copying it next to the caller's array would add that to the peak.
    /// </summary>
    public static Tensor View(float[] data, long rows, long cols, Device device) =>
        device.type == DeviceType.CPU ? TensorMemory.Wrap(data, rows, cols) : FromSpan(data, rows, cols, device);

    /// <summary>A rows×cols uint8 tensor (1 = kept) holding a copy of <paramref name="mask"/>.</summary>
    public static Tensor FromMask(ReadOnlySpan<byte> mask, long rows, long cols, Device device)
    {
        TorchRuntime.Initialize();
        var cpu = torch.empty(rows, cols, ScalarType.Byte);
        mask.CopyTo(cpu.bytes);
        if (device.type == DeviceType.CPU) return cpu;
        using (cpu) return cpu.to(device);
    }

    public static float[] ToFloats(Tensor t)
    {
        using var cpu = t.to(ScalarType.Float32).cpu().contiguous();
        return Floats(cpu).ToArray();
    }

    public static byte[] ToBytes(Tensor t)
    {
        using var cpu = t.to(ScalarType.Byte).cpu().contiguous();
        return cpu.bytes.ToArray();
    }

    /// <summary>The storage of a contiguous fp32 CPU tensor as a span (no copy).</summary>
    public static Span<float> Floats(Tensor t)
    {
        if (t.device_type != DeviceType.CPU || t.dtype != ScalarType.Float32 || !t.is_contiguous())
            throw new ArgumentException($"expected a contiguous float32 CPU tensor, got {t.dtype} on {t.device} (contiguous: {t.is_contiguous()}).");
        return MemoryMarshal.Cast<byte, float>(t.bytes);
    }

    /// <summary>Raw pointer to the first element of a contiguous fp32 CPU tensor (valid while the tensor lives).</summary>
    public static unsafe float* Pointer(Tensor t) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(Floats(t)));

    /// <summary>True when the C# kernels can work on these tensors' memory directly.</summary>
    public static bool IsCpuFloat(params Tensor[] tensors) =>
        tensors.All(t => t.device_type == DeviceType.CPU && t.dtype == ScalarType.Float32 && t.is_contiguous());

    /// <summary>The device of <see cref="LayerPruneSettings.Device"/> (null/auto: CUDA when available, else CPU).</summary>
    public static Device ParseDevice(string? spec) => TorchDevices.Parse(spec);
}
