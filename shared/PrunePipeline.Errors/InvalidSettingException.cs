namespace PrunePipeline.Errors;

/// <summary>A setting (CLI option, request field) has a value that cannot work; the message names field and value.</summary>
public class InvalidSettingException(string field, string problem) : BadInputException($"{field}: {problem}")
{
    public string Field { get; } = field;
}
