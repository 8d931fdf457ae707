namespace PrunePipeline.Errors;

/// <summary>
/// Something the user (or a message) gave us is wrong: a file, a tensor, a setting. Retrying cannot help, so the
/// pipeline fails the run with <see cref="Exception.Message"/> and the CLI prints it as one line. The message names
/// the file / tensor / field and the offending value. Derived types say which kind of input it was.
/// </summary>
public class BadInputException(string message, Exception? inner = null) : Exception(message, inner);
