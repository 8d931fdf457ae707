namespace PrunePipeline.Numerics;

/// <summary>OpenBLAS could not be loaded. The message says which package provides it.</summary>
public sealed class BlasUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
