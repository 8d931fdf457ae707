using PrunePipeline.Tensors;
using static TorchSharp.torch;

namespace PrunePipeline.Cli.Verbs;

/// <summary>The <c>--device</c> and <c>--threads</c> options of the verbs that compute on the torch engine.</summary>
internal static class DeviceOptions
{
    /// <summary>Reads --device (null: auto) and --threads (null: torch's default).</summary>
    public static (string? Device, int? Threads) Read(CliArgs args)
    {
        var device = args.Optional("device");
        int? threads = args.Has("threads") ? args.Int("threads", 0) : null;
        if (threads is < 1) throw new UsageException($"--threads must be ≥ 1, got {threads}.");
        return (device, threads);
    }

    /// <summary>The device, with a usage error (not a stack trace) for a bad name or a missing GPU.</summary>
    public static Device Parse(string? device)
    {
        try { return TorchDevices.Parse(device); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
    }
}
