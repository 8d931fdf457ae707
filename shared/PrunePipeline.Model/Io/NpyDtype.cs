namespace PrunePipeline.Model.Io;

/// <summary>The .npy element types PrunePipeline reads and writes (little-endian).</summary>
public enum NpyDtype
{
    /// <summary>'&lt;f4'</summary>
    Float32,
    /// <summary>'&lt;f8'</summary>
    Float64,
}
