using PrunePipeline.Errors;

namespace PrunePipeline.ServiceDefaults.Trust;

/// <summary>An artifact key of a run already holds other content than a command would write: the command is a late
/// or forged duplicate. A bad input (retrying writes the same refused bytes again), so the stage fails with the key
/// and both hashes instead of being retried.</summary>
public sealed class WriteOnceConflictException(string key, string problem) : CorruptFileException(key, problem);
