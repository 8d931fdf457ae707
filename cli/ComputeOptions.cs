using PrunePipeline.Tensors;

namespace PrunePipeline.Cli;

/// <summary>
/// The options every computing verb takes: <c>--device cpu|cuda|cuda:N|auto</c>, <c>--compute-dtype fp32|bf16|fp16</c>
/// and <c>--threads N</c>. They set the process's torch thread count and <see cref="ComputeTarget.Default"/>.
/// </summary>
public static class ComputeOptions
{
    public const string Usage =
        "  --device cpu|cuda|cuda:N|auto   where tensors are computed (default auto: CUDA when available, else CPU)\n" +
        "  --compute-dtype fp32|bf16|fp16  compute precision (default fp32; weights keep their stored dtype until used)\n" +
        "  --threads N                     CPU threads for torch (default: one per physical core)";

    /// <summary>Reads the options (consuming them), loads torch and sets the defaults; returns the target.</summary>
    /// <param name="defaultThreads">Threads when --threads is absent (null: torch's default).</param>
    public static ComputeTarget Apply(CliArgs args, int? defaultThreads = null)
    {
        var device = args.Optional("device");
        var dtype = args.Optional("compute-dtype");
        var threads = args.OptionalInt("threads") ?? defaultThreads;
        if (threads is <= 0) throw new UsageException($"--threads must be positive, got {threads}.");
        TorchRuntime.Initialize(threads);
        try
        {
            return ComputeTarget.Default = ComputeTarget.Parse(device, dtype);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
