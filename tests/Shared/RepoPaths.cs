namespace PrunePipeline.Tests;

/// <summary>
/// Where the repository and the data beside it are: the root is the folder holding PrunePipeline.sln (found by
/// walking up from the test assembly), and the models and data sets live in <c>../shared</c> next to it, never in
/// the repository. Linked into every test project by Directory.Build.props.
/// </summary>
internal static class RepoPaths
{
    public static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PrunePipeline.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("PrunePipeline.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A path under ../shared, e.g. <c>Shared("models", "stories260K", "tok512.bin")</c>.</summary>
    public static string Shared(params string[] parts) => Path.GetFullPath(Path.Combine([Root(), "..", "shared", .. parts]));
}
