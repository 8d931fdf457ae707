namespace PrunePipeline.Model.Safetensors;

/// <summary>Element types this project reads (converted to fp32) and writes.</summary>
public static class SafetensorsDType
{
    public const string F32 = "F32";
    public const string F16 = "F16";
    public const string BF16 = "BF16";

    /// <summary>Bytes per element of a dtype this project reads, or null if unsupported.</summary>
    public static int? ElementSize(string dtype) => dtype switch
    {
        F32 => 4,
        F16 or BF16 => 2,
        _ => null,
    };

    /// <summary>Bytes per element for any dtype of the safetensors spec (to validate headers we cannot read).</summary>
    internal static int? SpecElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" or "F8_E4M3" or "F8_E5M2" => 1,
        _ => null,
    };

    /// <summary>The <c>torch_dtype</c> name of a dtype (for config.json).</summary>
    public static string TorchName(string dtype) => dtype switch
    {
        F16 => "float16",
        BF16 => "bfloat16",
        _ => "float32",
    };
}
