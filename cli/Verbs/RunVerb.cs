using PrunePipeline.Artifacts;
using PrunePipeline.Cli.Pipeline;
using PrunePipeline.Contracts;
using PrunePipeline.Model;
using PrunePipeline.Pipeline.Configuration;
using PrunePipeline.Pipeline.Coordinator;
using PrunePipeline.Pipeline.Hosting;
using PrunePipeline.Workflow;
using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.Cli.Verbs;

/// <summary>prunectl run: the whole event-driven pipeline in this process (embedded: in-memory bus, folder artifacts,
/// SQLite history under --work), writing the pruned HF directory (with sparsity.json and report.json, as prunectl prune) to --out. Masks are identical to prunectl prune's.</summary>
public sealed class RunVerb : IVerb
{
    public string Name => "run";

    public string Summary => "prune through the event-driven pipeline in one process (embedded) and write OUTDIR";

    public string Usage => "usage: prunectl run --model DIR --method M --calib PATH --out OUTDIR [prune options] [--force] [--timeout SECONDS]\n" +
                           PruneRequestOptions.Usage + PipelineConfiguration.OptionsUsage + "\n" + ComputeOptions.Usage;

    public async Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var runId = Guid.NewGuid();
        var request = PruneRequestOptions.Parse(args, runId);
        var outDir = Path.GetFullPath(args.Required("out"));
        var force = args.Flag("force");
        var timeout = TimeSpan.FromSeconds(args.Int("timeout", 24 * 3600));
        var configuration = PipelineConfiguration.Build(args);
        ComputeOptions.Apply(args);
        args.ThrowOnUnused();
        PruneRun.CheckOutput(outDir, force);

        await using var host = await PipelineHost.StartAsync(configuration, PipelineRoles.All, cancellationToken);
        if (host.Options.Bus.Transport != BusTransport.InMemory)
            throw new InvalidOperationException("prunectl run hosts the whole pipeline in-process and needs Pipeline:Bus:Transport=InMemory; use prunectl submit for a distributed pipeline.");
        Console.Error.WriteLine($"run {runId}: {request.Method.Method} ({request.Mode}) through the embedded pipeline");
        await host.Bus.Publish(request, cancellationToken);
        var events = await RunFollower.FollowAsync(host.Events, runId, e => Console.Error.WriteLine("  " + RunFollower.Describe(e)), timeout, cancellationToken);
        if (events[^1].Data is RunFailed f) throw new InvalidOperationException($"run {runId} failed at {f.Stage}: {f.Reason}");
        var completed = (RunCompleted)events[^1].Data;
        var report = RunReportBuilder.Build(events, LlamaConfig.Load(Path.Combine(request.ModelLocation, "config.json")));
        await CopyModelAsync(host.Artifacts, completed.ModelPrefix, outDir, cancellationToken, report);
        RunReport.Print(runId, events, Console.Out);
        Console.WriteLine($"output: {outDir}");
        return 0;
    }

    /// <summary>Downloads models/{run}/ into OUTDIR.tmp, adds report.json (built from the run's events), then renames it
    /// to OUTDIR (never a half-written OUTDIR).</summary>
    internal static async Task CopyModelAsync(IArtifactStore store, string prefix, string outDir, CancellationToken ct, PruneReport? report = null)
    {
        var tmp = outDir + ".tmp";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        await store.DownloadDirectoryAsync(prefix, tmp, ct);
        if (report is not null) WorkflowJson.Write(Path.Combine(tmp, "report.json"), report);
        if (Directory.Exists(outDir)) Directory.Delete(outDir, true);
        Directory.Move(tmp, outDir);
    }
}
