using PrunePipeline.Artifacts;
using PrunePipeline.Errors;

namespace PrunePipeline.ServiceDefaults;

/// <summary>Which exceptions are a bad input (retrying cannot help: the run fails with the message, which names the
/// file / tensor / value) as opposed to a transient fault (retried by the consumer definitions). The same
/// classification as the CLI's (<see cref="ErrorClassification"/>), plus a missing artifact of the run. Everything else
/// — InvalidOperationException, ObjectDisposedException, a broker or database fault — is retried.</summary>
public static class StageFailure
{
    public static bool IsBadInput(Exception e) => ErrorClassification.IsBadInput(e) || e is ArtifactNotFoundException;

    /// <summary>One line for RunFailed.Reason.</summary>
    public static string Reason(Exception e) => ErrorClassification.OneLine(e);
}
