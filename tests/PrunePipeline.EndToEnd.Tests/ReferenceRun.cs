using PrunePipeline.Contracts;
using PrunePipeline.Model.Llama2c;
using PrunePipeline.Tokenizers;
using PrunePipeline.Workflow;

namespace PrunePipeline.EndToEnd.Tests;

/// <summary>
/// The undisturbed run every fault test compares with, computed once per test collection: stories260K converted into
/// a private models root, pruned one-shot by <c>prunectl prune</c>'s code path (the distributed pipeline equals it byte
/// for byte, see <see cref="DistributedPipelineTests"/>). One-shot and no evaluation keep each fault run short.
/// </summary>
public sealed class ReferenceRun : IDisposable
{
    public ReferenceRun()
    {
        ModelsRoot = Directory.CreateTempSubdirectory("pp-fault-models-").FullName;
        Model = Path.Combine(ModelsRoot, "stories260K");
        Llama2cConverter.Convert(RepoPaths.Shared("models", "stories260K", "stories260K.bin"), Model);
        TokenizerFiles.WriteToDirectory(RepoPaths.Shared("models", "stories260K", "tok512.bin"), Model);
        var output = Path.Combine(ModelsRoot, "reference-output");
        PruneRun.Execute(new PruneRequest(Model, output, Method, Calibration, PruneMode.OneShot, EvaluateDense: false));
        Masks = File.ReadAllBytes(Path.Combine(output, "masks.safetensors"));
        Weights = File.ReadAllBytes(Path.Combine(output, "model.safetensors"));
        Directory.Delete(output, true);
    }

    /// <summary>Pipeline:Roots:Models of the fault clusters.</summary>
    public string ModelsRoot { get; }

    public string Model { get; }

    /// <summary>Pipeline:Roots:Data of the fault clusters.</summary>
    public static string DataRoot => RepoPaths.Shared("data");

    public const int Layers = 35; // 5 blocks × 7 linears

    public PruneMethodSettings Method { get; } = new("prox", "none", Lambda0: 0.01, Beta: 1.05, MaxIters: 60);

    public CalibrationSettings Calibration { get; } = new(RepoPaths.Shared("data", "c4", "c4_validation_2k.jsonl"), Samplers.RandomWindow, 8, 64, 5);

    /// <summary>masks.safetensors of the undisturbed run.</summary>
    public byte[] Masks { get; }

    /// <summary>model.safetensors of the undisturbed run.</summary>
    public byte[] Weights { get; }

    public PruneRequested Request() =>
        new(Guid.NewGuid(), Model, Calibration, PruneMode.OneShot, Method, new EvaluationSettings(new Dictionary<string, string>()));

    public void Dispose() => Directory.Delete(ModelsRoot, true);
}
