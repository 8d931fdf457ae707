using PrunePipeline.Errors;

namespace PrunePipeline.ServiceDefaults.Trust;

/// <summary>A path from a message resolves (symlinks and '..' followed) outside the configured roots. A bad input:
/// retrying cannot help. The message names the path, where it resolves to and the setting, never the file's content.</summary>
public sealed class PathOutsideRootsException(string message) : BadInputException(message);
