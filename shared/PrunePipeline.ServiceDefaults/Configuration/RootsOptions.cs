namespace PrunePipeline.ServiceDefaults.Configuration;

/// <summary>Section "Pipeline:Roots": the only folders a worker opens files under (env: <c>Pipeline__Roots__Models</c>,
/// <c>Pipeline__Roots__Data</c>). Several roots are separated by ':' (like PATH). Unset in embedded mode: no limit (its
/// in-memory messages never leave the process); unset in distributed mode: every path is refused, because a message
/// from the broker must not make a worker open an arbitrary file (see <see cref="Trust.PathRoots"/>).</summary>
public sealed class RootsOptions
{
    /// <summary>Folders that may hold model directories (config.json, *.safetensors, tokenizer files).</summary>
    public string? Models { get; set; }

    /// <summary>Folders that may hold calibration and evaluation text files.</summary>
    public string? Data { get; set; }
}
