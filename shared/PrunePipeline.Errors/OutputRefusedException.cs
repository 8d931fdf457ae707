namespace PrunePipeline.Errors;

/// <summary>Writing the requested output would destroy something that is not a previous output of ours (an input,
/// an unrelated file or folder). Nothing was written.</summary>
public class OutputRefusedException(string message) : BadInputException(message);
