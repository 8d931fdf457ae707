using System.Runtime.CompilerServices;
using PrunePipeline.Tensors;

namespace PrunePipeline.Tests;

/// <summary>
/// Loads libtorch through <see cref="TorchRuntime"/> before any test touches <c>TorchSharp.torch</c>: torch's static
/// constructor would otherwise run TorchSharp's own loader, which does not find the natives (they are not copied into
/// bin on purpose) and falls back to copying 500 MB of them next to the test assembly. Linked into every test project
/// that uses torch.
/// </summary>
internal static class TorchTestSetup
{
    [ModuleInitializer]
    internal static void LoadTorch() => TorchRuntime.Initialize();
}
