namespace PrunePipeline.ServiceDefaults;

/// <summary>Names this process in the events it causes ("pruner@host:pid/cuda:0"), so a run's history shows which
/// competing worker did which layer, and on which device.</summary>
public sealed class WorkerIdentity(string worker, string device)
{
    public string Id { get; } = $"{worker}@{Environment.MachineName}:{Environment.ProcessId}/{device}";
}
