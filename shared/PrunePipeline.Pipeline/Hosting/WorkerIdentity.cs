namespace PrunePipeline.Pipeline.Hosting;

/// <summary>Names this process in the events it causes ("pruner@host:pid/cuda:0"), so a run's history shows which
/// competing worker did which layer, and on which device.</summary>
public sealed class WorkerIdentity(PipelineRoles roles, string device)
{
    public string Id { get; } = $"{Describe(roles)}@{Environment.MachineName}:{Environment.ProcessId}/{device}";

    static string Describe(PipelineRoles roles) => roles == PipelineRoles.All
        ? "embedded"
        : string.Join('+', Enum.GetValues<PipelineRoles>()
            .Where(r => r is not (PipelineRoles.None or PipelineRoles.All) && roles.HasFlag(r))
            .Select(r => r.ToString().ToLowerInvariant()));
}
