namespace PrunePipeline.Errors;

/// <summary>
/// The one classification of exceptions shared by the CLI and the pipeline's stage consumers.
/// <list type="bullet">
/// <item>Bad input: our <see cref="BadInputException"/> hierarchy, plus the framework's exceptions that can only
/// come from reading a user's data (<see cref="InvalidDataException"/> — thrown by decoders such as GZip for corrupt
/// streams — a missing file or folder, malformed JSON). Never retried.</item>
/// <item>Environment: a service, the disk or permissions; retryable in the pipeline, one line in the CLI.</item>
/// <item>Anything else (InvalidOperationException, ObjectDisposedException, NullReferenceException…) is a bug or an
/// infrastructure fault: retried by the pipeline, shown with its stack trace by the CLI.</item>
/// </list>
/// </summary>
public static class ErrorClassification
{
    public static bool IsBadInput(Exception e) => Unwrap(e) is BadInputException or InvalidDataException or FileNotFoundException
        or DirectoryNotFoundException or System.Text.Json.JsonException;

    /// <summary>The exception to classify and show: a Parallel.For / Task.WhenAll failure (AggregateException) stands for
    /// its first inner exception (all workers of a parallel loop usually hit the same bad input).</summary>
    public static Exception Unwrap(Exception e) =>
        e is AggregateException a && a.Flatten().InnerExceptions is [var first, ..] ? first : e;

    /// <summary>Faults of the surroundings a user can fix or wait out (service down or refusing credentials, disk full,
    /// no permission).</summary>
    public static bool IsEnvironment(Exception e) => Unwrap(e) is ServiceUnavailableException or UnauthorizedAccessException
        || Unwrap(e) is IOException && !IsBadInput(e);

    /// <summary>One line (for RunFailed.Reason and the CLI).</summary>
    public static string OneLine(Exception e) => Unwrap(e).Message.ReplaceLineEndings(" ");
}
