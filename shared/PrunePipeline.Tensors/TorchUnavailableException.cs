namespace PrunePipeline.Tensors;

/// <summary>libtorch could not be found or loaded; the message says what is missing and how to fix it.</summary>
public sealed class TorchUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
