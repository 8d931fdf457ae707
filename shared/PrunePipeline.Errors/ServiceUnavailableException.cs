namespace PrunePipeline.Errors;

/// <summary>An external service (PostgreSQL, RabbitMQ, S3) refused us or cannot be reached: wrong password, host down.
/// Not bad input: the pipeline retries it; the CLI prints it as one line naming the service and address.</summary>
public class ServiceUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
