using PrunePipeline.Artifacts;

namespace PrunePipeline.ServiceDefaults;

/// <summary>What every per-layer stage (pruner, finetuner) starts from: the layer's shape, its dense weights W₀ (from
/// the model) and its input Hessian H (from the artifact store).</summary>
/// <param name="W0">rows×cols dense weights, row-major.</param>
/// <param name="H">cols×cols Hessian of the layer's input.</param>
public sealed record LayerInputs(int Rows, int Cols, float[] W0, float[] H)
{
    public static async Task<LayerInputs> LoadAsync(ModelCache models, IArtifactStore store, string modelLocation, string layer,
        string hessianKey, CancellationToken ct)
    {
        var (rows, cols) = LayerNames.Shape(models.Get(modelLocation).Config, layer);
        var w0 = models.ReadTensor(modelLocation, layer);
        var h = await store.GetFloatsAsync(hessianKey, [cols, cols], ct);
        return new LayerInputs(rows, cols, w0, h);
    }
}
