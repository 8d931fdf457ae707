namespace PrunePipeline.Contracts;

/// <summary>Event: the finetuner stored a resumable checkpoint after <paramref name="Step"/> completed steps (weights,
/// AdamW state, curve so far) under <paramref name="Prefix"/>; a redelivered or re-sent FinetuneModel continues from it.</summary>
/// <param name="Loss">The loss of the last step before the checkpoint.</param>
public sealed record FinetuneCheckpointed(Guid RunId, int Step, string Prefix, double Loss, string? Worker = null);
