namespace PrunePipeline.Workflow;

/// <summary>
/// One progress report of a whole-model run, for a terminal or the pipeline's event stream.
/// </summary>
/// <param name="Stage">embed | calibrate | prune | refine | forward | write | evaluate.</param>
/// <param name="Block">Decoder block index (−1 when not block-specific).</param>
/// <param name="Blocks">Number of blocks L.</param>
/// <param name="Linear">Linear short name, when the event is about one layer.</param>
/// <param name="Step">Iteration / sample / sequence counter inside the stage.</param>
/// <param name="Steps">Total of <paramref name="Step"/> (0 when unknown, e.g. prox's early stop).</param>
/// <param name="Detail">Free text (λ, loss, data set name).</param>
public sealed record PruneProgressEvent(string Stage, int Block, int Blocks, string? Linear, int Step, int Steps, string? Detail = null);
