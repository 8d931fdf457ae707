namespace PrunePipeline.Errors;

/// <summary>A request needs more memory (or other resource) than this process can have; the message gives the figure
/// it would need and the setting that drives it. Checked before anything large is allocated.</summary>
public class ResourceLimitException(string message) : BadInputException(message);
