using PrunePipeline.Artifacts;

namespace PrunePipeline.ServiceDefaults;

/// <summary>Which exceptions are a bad input (retrying cannot help: the run fails with the message, which names the
/// file / tensor / value) as opposed to a transient fault (retried by the consumer definitions).</summary>
public static class StageFailure
{
    public static bool IsBadInput(Exception e) => e is ArgumentException or InvalidDataException or FileNotFoundException
        or DirectoryNotFoundException or ArtifactNotFoundException or NotSupportedException or FormatException
        or InvalidOperationException;

    /// <summary>One line for RunFailed.Reason.</summary>
    public static string Reason(Exception e) => e.Message.ReplaceLineEndings(" ");
}
