namespace PrunePipeline.Cli;

/// <summary>The command line is wrong (missing or malformed option). Printed with the verb's usage, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
