using System.Text.Json;
using PrunePipeline.Contracts;
using PrunePipeline.EventStore;
using PrunePipeline.Pruning;
using PrunePipeline.Workflow.Reports;

namespace PrunePipeline.Cli.Tests;

/// <summary>The adaptive schedule's knobs (issue #12) where a user prunes: parsed by the one prune parser, validated by
/// <see cref="PruneMethodSettings"/>, and absent from what older versions wrote.</summary>
public class AdaptiveKnobsTests
{
    [Fact]
    public void PruneParserReadsEveryKnob()
    {
        var args = new CliArgs(["--schedule", "adaptive", "--momentum", "0.5", "--adaptive-beta", "1.015", "--fast-beta", "1.02",
            "--start-divisor", "1000", "--compact-every", "1", "--cg-tolerance", "0.0001"]);
        var s = PruneOptions.MethodSettings(args, "prox");
        args.ThrowOnUnused();
        Assert.Equal(("adaptive", "cg"), (s.Schedule, s.Refine));
        Assert.Equal((0.5, 1.015, 1.02, 1000.0, 1, 0.0001), (s.Momentum, s.AdaptiveBeta, s.FastBeta, s.StartDivisor, s.CompactEvery, s.CgTolerance));
    }

    [Fact]
    public void OmittedKnobsAreThePruningLibrarysDefaults()
    {
        var s = PruneOptions.MethodSettings(new CliArgs(["--schedule", "adaptive"]), "prox");
        var lib = new LayerPruneSettings();
        Assert.Equal((lib.Momentum, lib.AdaptiveBeta, lib.FastBeta, lib.StartDivisor, lib.CompactEvery, lib.CgTolerance),
            (s.Momentum, s.AdaptiveBeta, s.FastBeta, s.StartDivisor, s.CompactEvery, s.CgTolerance));
    }

    [Theory]
    [InlineData("--momentum", "1", "momentum")]
    [InlineData("--adaptive-beta", "1", "adaptive-beta")]
    [InlineData("--fast-beta", "0.9", "fast-beta")]
    [InlineData("--start-divisor", "0.5", "start-divisor")]
    [InlineData("--compact-every", "0", "compact-every")]
    [InlineData("--cg-tolerance", "1", "cg-tolerance")]
    public async Task ABadKnobIsRefusedNamingIt(string option, string value, string field)
    {
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            var model = Path.Combine(dir.FullName, "model");
            CliRun.ConvertStories(model);
            var outDir = Path.Combine(dir.FullName, "out");
            var r = await CliRun.Run("prune", "--model", model, "--method", "prox", "--schedule", "adaptive", "--calib",
                RepoPaths.Shared("data", "c4", "c4_validation_2k.jsonl"), "--out", outDir, option, value);
            CliRun.AssertOneLineError(r, field + ":", value);
            Assert.False(Directory.Exists(outDir));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>An event, message or sparsity.json written before the knobs existed reads as the defaults.</summary>
    [Fact]
    public void JsonWithoutTheKnobsReadsAsTheDefaults()
    {
        const string eventJson = """{"method":"prox","refine":"cg","refineSteps":1000,"lambda0":0.01,"beta":1.01,"maxIters":2000,"damping":0.01,"pattern":"2:4","schedule":"adaptive"}""";
        const string fileJson = """{"method":"prox","refine":"cg","refine_steps":1000,"lambda0":0.01,"beta":1.01,"max_iters":2000,"damping":0.01,"pattern":"2:4","schedule":"adaptive"}""";
        var lib = new LayerPruneSettings();
        foreach (var (json, options) in new[] { (eventJson, EventTypeRegistry.JsonOptions), (fileJson, WorkflowJson.Options) })
        {
            var s = JsonSerializer.Deserialize<PruneMethodSettings>(json, options)!;
            Assert.Equal(("prox", "cg", "adaptive", 1000), (s.Method, s.Refine, s.Schedule, s.RefineSteps));
            Assert.Equal((lib.Momentum, lib.AdaptiveBeta, lib.FastBeta, lib.StartDivisor, lib.CompactEvery, lib.CgTolerance),
                (s.Momentum, s.AdaptiveBeta, s.FastBeta, s.StartDivisor, s.CompactEvery, s.CgTolerance));
            s.Validate();
            // …and what is written now carries them back unchanged.
            var tuned = s with { Momentum = 0.5, CompactEvery = 1 };
            Assert.Equal(tuned, JsonSerializer.Deserialize<PruneMethodSettings>(JsonSerializer.Serialize(tuned, options), options));
        }
    }
}
