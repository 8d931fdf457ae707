using System.Collections.Concurrent;
using System.Diagnostics;

namespace PrunePipeline.Cli.Pipeline;

/// <summary>One service started as its own OS process (<c>dotnet PrunePipeline.X.dll</c>) with the distributed
/// configuration in its environment; killed (with its children) on dispose. Shared by the distributed end-to-end test
/// and <c>prunectl bench-pipeline</c>'s scale-out measurement.</summary>
public sealed class ServiceProcess : IDisposable
{
    readonly Process _process;
    readonly ConcurrentQueue<string> _output = new();
    readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ServiceProcess(string name, string dll, IReadOnlyDictionary<string, string> environment)
    {
        Name = name;
        var info = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (k, v) in environment) info.Environment[k] = v;
        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Line(e.Data);
        _process.ErrorDataReceived += (_, e) => Line(e.Data);
        _process.Exited += (_, _) => _started.TrySetException(new InvalidOperationException($"{Name} exited early:\n{Output}"));
        _process.Start();
        Pid = _process.Id;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    /// <summary>The process id (still known after the process was killed).</summary>
    public int Pid { get; }

    public string Output => string.Join('\n', _output.TakeLast(40));

    /// <summary>How many output lines so far contain <paramref name="fragment"/> (e.g. a worker's per-execution log line).</summary>
    public int CountLines(string fragment) => _output.Count(l => l.Contains(fragment, StringComparison.Ordinal));

    /// <summary>Completes when MassTransit logs that the bus (and so every receive endpoint) is up.</summary>
    public Task Started => _started.Task;

    /// <summary>The built dll of a service (<c>services/{folder}/bin/{configuration}/net10.0/{assembly}.dll</c>) under the
    /// repository that contains <paramref name="from"/>; an unbuilt service raises an error naming the file.</summary>
    public static string ServiceDll(string folder, string assembly, string configuration, string? from = null)
    {
        var dir = new DirectoryInfo(from ?? AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PrunePipeline.sln"))) dir = dir.Parent;
        if (dir is null) throw new InvalidOperationException($"PrunePipeline.sln not found above {from ?? AppContext.BaseDirectory}: the services are located relative to the repository.");
        var dll = Path.Combine(dir.FullName, "services", folder, "bin", configuration, "net10.0", assembly + ".dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} is not built (dotnet build services/{folder} -c {configuration}).", dll);
        return dll;
    }

    void Line(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        if (line.Contains("Bus started", StringComparison.Ordinal)) _started.TrySetResult();
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
    }
}
