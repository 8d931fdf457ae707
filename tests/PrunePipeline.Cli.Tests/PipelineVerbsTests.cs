using System.Diagnostics;
using System.Text.RegularExpressions;

namespace PrunePipeline.Cli.Tests;

/// <summary>The pipeline verbs as a user runs them: prunectl as its own process, embedded configuration (in-memory bus,
/// folder artifacts, SQLite history under --work), on the real stories260K.</summary>
public sealed class PipelineVerbsTests
{
    internal static async Task<(int Code, string Out, string Err)> Prunectl(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "prunectl.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["Pipeline__Threads"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout, await stderr);
    }

    static Guid FirstGuid(string text) => Guid.Parse(Regex.Match(text, "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").Value);

    [Fact]
    public async Task Run_runs_show_watch_replay_and_submit_work_on_one_history()
    {
        var dir = Directory.CreateTempSubdirectory("pp-verbs-").FullName;
        var model = Path.Combine(dir, "model");
        var work = Path.Combine(dir, "work");
        var convert = await Prunectl("convert-llama2c", "--checkpoint", RepoPaths.Shared("models", "stories260K", "stories260K.bin"),
            "--tokenizer", RepoPaths.Shared("models", "stories260K", "tok512.bin"), "--out", model);
        Assert.True(convert.Code == 0, convert.Err);
        string[] small = ["--model", model, "--calib", RepoPaths.Shared("data", "c4", "c4_validation_2k.jsonl"), "--nsamples", "2", "--seqlen", "16",
            "--mode", "one-shot", "--work", work];

        // run: the embedded pipeline writes OUTDIR; --no-dense-eval means no "before" perplexity (it used to be ignored).
        var outDir = Path.Combine(dir, "out");
        var run = await Prunectl(["run", "--method", "magnitude", .. small, "--eval", "tinystories=" + RepoPaths.Shared("data", "tinystories",
            "tinystories_val_first1000.eot.txt"), "--eval-seqlen", "32", "--no-dense-eval", "--out", outDir]);
        Assert.True(run.Code == 0, run.Err);
        var runId = FirstGuid(run.Err);
        Assert.True(File.Exists(Path.Combine(outDir, "model.safetensors")));
        var report = File.ReadAllText(Path.Combine(outDir, "report.json"));
        Assert.Contains("\"perplexity_after\"", report);
        Assert.DoesNotContain("\"perplexity_before\"", report);
        Assert.DoesNotContain("(dense)", run.Err);

        // runs: the summary projection lists it.
        var runs = await Prunectl("runs", "--work", work);
        Assert.True(runs.Code == 0, runs.Err);
        Assert.Matches($"{runId}\\s+completed\\s+completed\\s+magnitude\\s+35", runs.Out);

        // show: every event in order, then the results table.
        var show = await Prunectl("show", runId.ToString(), "--work", work);
        Assert.True(show.Code == 0, show.Err);
        Assert.Equal(35, Regex.Matches(show.Out, " layer_pruned ").Count);
        Assert.Contains("run_completed", show.Out);
        Assert.Contains("tinystories", show.Out);

        // watch: a finished run prints its history and exits 0.
        var watch = await Prunectl("watch", runId.ToString(), "--work", work);
        Assert.True(watch.Code == 0, watch.Err);
        Assert.Contains("completed", watch.Out);

        // replay: a new run that reuses the Hessians (no calibration), with another method.
        var replay = await Prunectl("replay", runId.ToString(), "--from", "prune", "--method", "wanda", "--work", work);
        Assert.True(replay.Code == 0, replay.Err);
        var replayId = FirstGuid(replay.Out);
        Assert.NotEqual(runId, replayId);
        var replayed = await Prunectl("show", replayId.ToString(), "--work", work);
        Assert.Equal(5, Regex.Matches(replayed.Out, "REUSED").Count);
        Assert.Contains("requested: wanda refine=none one-shot", replayed.Out);

        // replay with the other λ schedule: prox on the adaptive schedule, whose default refinement is cg.
        var adaptive = await Prunectl("replay", runId.ToString(), "--from", "prune", "--method", "prox", "--schedule", "adaptive", "--work", work);
        Assert.True(adaptive.Code == 0, adaptive.Err);
        var adaptiveShow = await Prunectl("show", FirstGuid(adaptive.Out).ToString(), "--work", work);
        Assert.Contains("requested: prox schedule=adaptive refine=cg one-shot", adaptiveShow.Out);
        Assert.Contains("completed", adaptiveShow.Out);

        // submit with an embedded configuration runs in this process and prints the run id first.
        var submit = await Prunectl(["submit", "--method", "magnitude", .. small, "--idempotency-key", "verbs-test"]);
        Assert.True(submit.Code == 0, submit.Err);
        var submitted = FirstGuid(submit.Out);
        Assert.Matches($"{submitted}\\s+completed", (await Prunectl("runs", "--work", work)).Out);

        // A run that is not in the history is one clear line, not a stack trace.
        var missing = await Prunectl("show", Guid.NewGuid().ToString(), "--work", work);
        Assert.Equal(1, missing.Code);
        Assert.Contains("is not in the event store", missing.Err);
        Assert.DoesNotContain("   at ", missing.Err);
    }
}
