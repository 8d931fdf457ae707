namespace PrunePipeline.ServiceDefaults;

/// <summary>Names this process in the events it causes ("pruner@host:pid"), so a run's history shows which
/// competing worker did which layer.</summary>
public sealed class WorkerIdentity(string worker)
{
    public string Id { get; } = $"{worker}@{Environment.MachineName}:{Environment.ProcessId}";
}
