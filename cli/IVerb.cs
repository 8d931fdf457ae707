namespace PrunePipeline.Cli;

/// <summary>
/// One prunectl verb. Verbs are discovered by reflection (any non-abstract class implementing this interface with a
/// public parameterless constructor), so adding a verb is adding one file under Verbs/.
/// </summary>
public interface IVerb
{
    /// <summary>The word typed after prunectl, e.g. "eval".</summary>
    string Name { get; }

    /// <summary>One line for the verb list.</summary>
    string Summary { get; }

    /// <summary>Usage text printed by "prunectl VERB --help" and after a usage error.</summary>
    string Usage { get; }

    /// <summary>Runs the verb; returns the process exit code.</summary>
    Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken);
}
