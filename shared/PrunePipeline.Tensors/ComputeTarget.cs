using TorchSharp;
using static TorchSharp.torch;

namespace PrunePipeline.Tensors;

/// <summary>
/// Where and in which precision a block is computed: the device (<c>--device</c>) and the compute dtype
/// (<c>--compute-dtype fp32|bf16|fp16</c>, default fp32). Weights keep their stored dtype until a block is computed
/// and are converted to <see cref="DType"/> on <see cref="Device"/> then.
/// </summary>
public sealed record ComputeTarget(Device Device, ScalarType DType)
{
    private static volatile ComputeTarget? _default;

    /// <summary>
    /// The process's target when a caller passes none: what <c>--device</c>/<c>--compute-dtype</c> or
    /// <c>Pipeline:Device</c> set, else auto (CUDA when available, else CPU) in fp32. One setting per process, like the
    /// thread count: a worker computes on one device.
    /// </summary>
    public static ComputeTarget Default
    {
        get => _default ??= Parse(null, null);
        set => _default = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>fp32 on the CPU: what tests and the reference numbers use.</summary>
    public static ComputeTarget Cpu
    {
        get { TorchRuntime.Initialize(); return new ComputeTarget(torch.CPU, ScalarType.Float32); }
    }

    /// <summary>Parses the two settings (null/empty: auto device, fp32); loads torch.</summary>
    /// <exception cref="ArgumentException">an unknown device or dtype name.</exception>
    public static ComputeTarget Parse(string? device, string? computeDType) =>
        new(TorchDevices.Parse(device), ParseDType(computeDType));

    /// <summary><c>fp32</c>/<c>float32</c>, <c>bf16</c>/<c>bfloat16</c>, <c>fp16</c>/<c>float16</c>; null or empty: fp32.</summary>
    public static ScalarType ParseDType(string? name) => (name ?? "").Trim().ToLowerInvariant() switch
    {
        "" or "fp32" or "float32" or "f32" => ScalarType.Float32,
        "bf16" or "bfloat16" => ScalarType.BFloat16,
        "fp16" or "float16" or "f16" or "half" => ScalarType.Float16,
        _ => throw new ArgumentException($"compute dtype '{name}': expected fp32, bf16 or fp16"),
    };

    /// <summary>The canonical names, as recorded in reports: e.g. <c>cpu/fp32</c>.</summary>
    public override string ToString() => $"{TorchDevices.Name(Device)}/{DTypeName(DType)}";

    /// <summary><c>fp32</c>, <c>bf16</c>, <c>fp16</c> (or torch's name for anything else).</summary>
    public static string DTypeName(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "fp32",
        ScalarType.BFloat16 => "bf16",
        ScalarType.Float16 => "fp16",
        _ => dtype.ToString().ToLowerInvariant(),
    };
}
