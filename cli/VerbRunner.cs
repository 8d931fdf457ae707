using System.Reflection;
using PrunePipeline.Errors;
using PrunePipeline.Tensors;

namespace PrunePipeline.Cli;

/// <summary>
/// Dispatches "prunectl VERB …" to the verb, and turns the errors users can cause (bad options, missing or malformed
/// files, invalid tensors) into one clear line on stderr with a non-zero exit code, never a stack trace.
/// Set PRUNECTL_DEBUG=1 to see the stack trace of an unexpected error.
/// </summary>
public static class VerbRunner
{
    public static IReadOnlyList<IVerb> Verbs { get; } = typeof(VerbRunner).Assembly.GetTypes()
        .Where(t => typeof(IVerb).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false } &&
                    t.GetConstructor(Type.EmptyTypes) is not null)
        .Select(t => (IVerb)Activator.CreateInstance(t)!)
        .OrderBy(v => v.Name, StringComparer.Ordinal)
        .ToList();

    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            PrintVerbs(stdout);
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] == "--version")
        {
            stdout.WriteLine(typeof(VerbRunner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown");
            return 0;
        }
        var verb = Verbs.FirstOrDefault(v => v.Name == args[0]);
        if (verb is null)
        {
            stderr.WriteLine($"prunectl: unknown verb '{args[0]}'.");
            PrintVerbs(stderr);
            return 2;
        }
        if (args.Skip(1).Any(a => a is "-h" or "--help"))
        {
            stdout.WriteLine(verb.Usage);
            return 0;
        }
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            return await verb.RunAsync(new CliArgs(args.Skip(1)), cts.Token);
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"prunectl {verb.Name}: {e.Message}");
            stderr.WriteLine();
            stderr.WriteLine(verb.Usage);
            return 2;
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            stderr.WriteLine($"prunectl {verb.Name}: cancelled.");
            return 130;
        }
        catch (Exception e) when (IsUserFacing(e))
        {
            stderr.WriteLine($"prunectl {verb.Name}: error: {ErrorClassification.OneLine(e)}");
            if (Environment.GetEnvironmentVariable("PRUNECTL_DEBUG") == "1") stderr.WriteLine(e);
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>
    /// Errors whose message is written for a user: bad input (<see cref="ErrorClassification.IsBadInput"/>, the same
    /// classification the pipeline's stages use), the environment (a service refusing us, disk, permissions), libtorch
    /// that cannot be loaded, and ArgumentException (in the CLI every argument comes from the user's command line or files, and the
    /// libraries' messages name the value). Anything else is a bug and keeps its stack trace.
    /// </summary>
    internal static bool IsUserFacing(Exception e) => ErrorClassification.IsBadInput(e) || ErrorClassification.IsEnvironment(e)
        || ErrorClassification.Unwrap(e) is TorchUnavailableException or ArgumentException;

    private static void PrintVerbs(TextWriter w)
    {
        w.WriteLine("usage: prunectl VERB [options]   (prunectl VERB --help for a verb's options)");
        w.WriteLine();
        foreach (var v in Verbs) w.WriteLine($"  {v.Name,-18} {v.Summary}");
    }
}
