namespace PrunePipeline.ServiceDefaults.Configuration;

/// <summary>Section "Pipeline:Limits": bounds on what a message may carry (env: <c>Pipeline__Limits__MaxMessageBytes</c>,
/// <c>Pipeline__Limits__MaxReasonChars</c>). Large data travels as artifact keys, so real messages are a few KB.</summary>
public sealed class LimitsOptions
{
    /// <summary>A received message body larger than this is refused (logged and dropped, nothing stored).
    /// Default 256 KiB: the largest real message (AssembleModel of a 80-layer model: 560 weight and mask keys) is ~100 KB.</summary>
    public int MaxMessageBytes { get; set; } = 256 * 1024;

    /// <summary>RunFailed reasons are cut to this many characters before they are stored.</summary>
    public int MaxReasonChars { get; set; } = 2000;
}
