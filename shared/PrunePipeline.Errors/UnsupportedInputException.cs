namespace PrunePipeline.Errors;

/// <summary>A valid input this tool does not handle (an architecture, dtype, tokenizer or config feature); the message
/// names the file and the feature.</summary>
public class UnsupportedInputException(string message) : BadInputException(message);
