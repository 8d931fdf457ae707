namespace PrunePipeline.Errors;

/// <summary>An input file's content is invalid (truncated gzip, bad UTF-8, overlapping safetensors, NaN weights…).
/// The message starts with the file's path and says where (line, tensor, offset).</summary>
public class CorruptFileException(string path, string problem, Exception? inner = null)
    : BadInputException($"{path}: {problem}", inner)
{
    public string Path { get; } = path;
}
