using System.Runtime.InteropServices;

namespace PrunePipeline.Tensors;

/// <summary>
/// The process environment as native code sees it. On Unix, <see cref="Environment.SetEnvironmentVariable(string, string)"/>
/// only changes .NET's own copy; oneMKL inside libtorch reads <c>getenv</c>, so settings it must see are written with
/// libc's <c>setenv</c> (and mirrored into .NET's copy) before libtorch is loaded.
/// </summary>
internal static partial class NativeEnvironment
{
    /// <summary>Sets <paramref name="name"/> unless the user already set it; returns the value in effect.</summary>
    public static string SetDefault(string name, string value)
    {
        if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } existing) return existing;
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
            if (SetEnv(name, value, 1) != 0)
                throw new InvalidOperationException($"setenv({name}) failed (errno {Marshal.GetLastPInvokeError()})");
        Environment.SetEnvironmentVariable(name, value);
        return value;
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
