using System.Text.Json.Nodes;
using PrunePipeline.Artifacts;
using PrunePipeline.Cli.Pipeline;
using PrunePipeline.EventStore;
using PrunePipeline.Contracts;
using PrunePipeline.Errors;
using PrunePipeline.Model;
using PrunePipeline.ServiceDefaults.Configuration;
using PrunePipeline.Coordinator;
using PrunePipeline.ServiceDefaults;
using PrunePipeline.Workflow;
using PrunePipeline.Workflow.Output;
using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.Cli.Verbs;

/// <summary>prunectl run: the whole event-driven pipeline in this process (embedded: in-memory bus, folder artifacts,
/// SQLite history under --work), writing the pruned HF directory (with sparsity.json and report.json, as prunectl prune) to --out. Masks are identical to prunectl prune's.</summary>
public sealed class RunVerb : IVerb
{
    public string Name => "run";

    public string Summary => "prune through the event-driven pipeline in one process (embedded) and write OUTDIR";

    public string Usage => "usage: prunectl run --model DIR --method M --calib PATH --out OUTDIR [prune options] [--force] [--timeout SECONDS]\n" +
                           PruneOptions.Usage + PipelineConfiguration.OptionsUsage + "\n" + ComputeOptions.Usage;

    public async Task<int> RunAsync(CliArgs args, CancellationToken cancellationToken)
    {
        var runId = Guid.NewGuid();
        var request = PruneOptions.Parse(args).ToPruneRequested(runId);
        var outDir = Path.GetFullPath(args.Required("out"));
        var force = args.Flag("force");
        var timeout = TimeSpan.FromSeconds(args.Int("timeout", 24 * 3600));
        var configuration = PipelineConfiguration.Build(args);
        ComputeOptions.Apply(args);
        args.ThrowOnUnused();
        var inputs = Inputs(request);
        OutputGuard.CheckDirectory(outDir, force, inputs);
        // The embedded pipeline holds the calibration activations in this process: refuse what cannot fit, up front.
        MemoryEstimate.Require(MemoryEstimate.PruneBytes(LlamaConfig.Load(Path.Combine(request.ModelLocation, "config.json")),
            request.Calibration.NSamples, request.Calibration.SeqLen), $"--nsamples {request.Calibration.NSamples} × --seqlen {request.Calibration.SeqLen}");

        await using var host = await PipelineHost.StartAsync(configuration, embedded: true, cancellationToken);
        if (host.Options.Bus.Transport != BusTransport.InMemory)
            throw new InvalidSettingException("Pipeline:Bus:Transport", "prunectl run hosts the whole pipeline in-process and needs InMemory; use prunectl submit for a distributed pipeline.");
        Console.Error.WriteLine($"run {runId}: {request.Method.Method} ({request.Mode.Name()}) through the embedded pipeline");
        await host.PublishAsync(request, cancellationToken);
        var events = await RunFollower.FollowAsync(host.Events, runId, (e, state) => Console.Error.WriteLine("  " + RunFollower.Describe(e, state)), timeout, cancellationToken);
        if (events[^1].Data is RunFailed f) throw new BadInputException($"run {runId} failed at {f.Stage}: {f.Reason}");
        var completed = (RunCompleted)events[^1].Data;
        var report = RunReportBuilder.Build(events, LlamaConfig.Load(Path.Combine(request.ModelLocation, "config.json")));
        await CopyModelAsync(host.Artifacts, completed.ModelPrefix, outDir, force, inputs, cancellationToken, report);
        RunReport.Print(RunState.Fold(events), events, Console.Out);
        Console.WriteLine($"output: {outDir}");
        return 0;
    }

    /// <summary>What a request reads (model, calibration text, evaluation data): OUTDIR may neither be nor contain them.</summary>
    internal static IReadOnlyList<string> Inputs(PruneRequested request) =>
        [request.ModelLocation, request.Calibration.Path, .. request.Evaluation.Datasets.Values, .. request.Finetune?.Files(request.Calibration) ?? []];

    /// <summary>Downloads models/{run}/ into a fresh temporary sibling of OUTDIR, adds report.json (built from the run's
    /// events), then renames it to OUTDIR through <see cref="OutputGuard"/> (never a half-written OUTDIR, never an input
    /// or a folder that is not a previous output of ours).</summary>
    internal static async Task CopyModelAsync(IArtifactStore store, string prefix, string outDir, bool force, IReadOnlyList<string> inputs,
        CancellationToken ct, PruneReport? report = null)
    {
        var tmp = OutputGuard.CreateTempDirectory(OutputGuard.CheckDirectory(outDir, force, inputs));
        try
        {
            await store.DownloadDirectoryAsync(prefix, tmp, ct);
            if (report is not null)
            {
                // A finetuned model's directory holds the finetuner's report.json: its "finetune" section (settings,
                // curve, timing) joins the run's report, as in prunectl prune --finetune's.
                var finetune = File.Exists(Path.Combine(tmp, "report.json"))
                    ? (JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(tmp, "report.json"), ct)) as JsonObject)?["finetune"]?.DeepClone()
                    : null;
                WorkflowJson.Write(Path.Combine(tmp, "report.json"), report);
                if (finetune is not null)
                {
                    var json = (JsonObject)JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(tmp, "report.json"), ct))!;
                    json["finetune"] = finetune;
                    await File.WriteAllTextAsync(Path.Combine(tmp, "report.json"), json.ToJsonString(WorkflowJson.Options) + "\n", ct);
                }
                RunMetricsParquet.Write(tmp, report.Versions.GetValueOrDefault("pipeline_run") ?? Path.GetFileName(outDir), report);
            }
            OutputGuard.Publish(tmp, outDir, force, inputs);
        }
        catch
        {
            OutputGuard.Discard(tmp);
            throw;
        }
    }
}
