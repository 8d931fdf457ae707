using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace PrunePipeline.Tensors;

/// <summary>
/// Zero-copy bridges between managed memory and CPU tensors. <see cref="Tensor.data{T}"/> and <c>ToArray</c> copy;
/// <see cref="Tensor.bytes"/> is a span over the tensor's own storage, and <c>torch.from_array</c> wraps (pins) a
/// managed array, so kernels written in C# can work on a tensor's memory and tensors can view our arrays.
/// </summary>
public static class TensorMemory
{
    /// <summary>The elements of a contiguous CPU float32 tensor, in place (writes change the tensor).</summary>
    /// <exception cref="ArgumentException">not CPU, not float32, or not contiguous.</exception>
    public static Span<float> Floats(Tensor tensor) => MemoryMarshal.Cast<byte, float>(Checked(tensor, ScalarType.Float32).bytes);

    /// <summary>The elements of a contiguous CPU float64 tensor, in place.</summary>
    public static Span<double> Doubles(Tensor tensor) => MemoryMarshal.Cast<byte, double>(Checked(tensor, ScalarType.Float64).bytes);

    /// <summary>A CPU float32 tensor of <paramref name="shape"/> viewing <paramref name="values"/> (no copy; the array
    /// is pinned while the tensor lives). Loads torch first.</summary>
    public static Tensor Wrap(float[] values, params long[] shape)
    {
        TorchRuntime.Initialize();
        long count = 1;
        foreach (var s in shape) count *= s;
        if (count != values.LongLength)
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] needs {count} values, the array has {values.LongLength}", nameof(values));
        using var flat = torch.from_array(values);
        return flat.view(shape);
    }

    /// <summary>A new CPU float32 tensor holding a copy of <paramref name="values"/>.</summary>
    public static Tensor Copy(ReadOnlySpan<float> values, params long[] shape)
    {
        TorchRuntime.Initialize();
        var tensor = torch.empty(shape, ScalarType.Float32);
        var target = Floats(tensor);
        if (target.Length != values.Length)
        {
            tensor.Dispose();
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] needs {target.Length} values, got {values.Length}", nameof(values));
        }
        values.CopyTo(target);
        return tensor;
    }

    /// <summary>Copies any tensor's values into <paramref name="destination"/> as float32 (converting dtype and device).</summary>
    public static void CopyTo(Tensor tensor, Span<float> destination)
    {
        using var scope = torch.NewDisposeScope();
        var cpu = tensor.device_type == DeviceType.CPU && tensor.dtype == ScalarType.Float32 && tensor.is_contiguous()
            ? tensor : tensor.to(ScalarType.Float32, torch.CPU).contiguous();
        var source = Floats(cpu);
        if (source.Length != destination.Length)
            throw new ArgumentException($"tensor has {source.Length} values, destination {destination.Length}", nameof(destination));
        source.CopyTo(destination);
    }

    private static Tensor Checked(Tensor tensor, ScalarType dtype)
    {
        if (tensor.device_type != DeviceType.CPU)
            throw new ArgumentException($"tensor is on {tensor.device}; only CPU memory can be viewed as a span", nameof(tensor));
        if (tensor.dtype != dtype) throw new ArgumentException($"tensor is {tensor.dtype}, expected {dtype}", nameof(tensor));
        if (!tensor.is_contiguous()) throw new ArgumentException("tensor is not contiguous", nameof(tensor));
        return tensor;
    }
}
