using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PrunePipeline.ServiceDefaults;

/// <summary>Writes the latest health report's status ("Healthy", "Degraded", "Unhealthy") to a file, atomically
/// (temp + rename). docker-compose's healthcheck reads it and its age: a worker has no HTTP endpoint, and a file that
/// stops being refreshed means the process hangs.</summary>
public sealed class HealthFilePublisher(string path) : IHealthCheckPublisher
{
    public async Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        var tmp = path + ".tmp";
        await File.WriteAllTextAsync(tmp, report.Status.ToString(), cancellationToken);
        File.Move(tmp, path, overwrite: true);
    }
}
