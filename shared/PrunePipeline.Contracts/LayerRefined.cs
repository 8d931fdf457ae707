namespace PrunePipeline.Contracts;

/// <summary>Event: a layer's refined weights are stored (the mask is unchanged).</summary>
public sealed record LayerRefined(
    Guid RunId,
    int Block,
    string Layer,
    double LossBefore,
    double LossAfter,
    int Steps,
    double Seconds,
    string WeightsKey,
    string? Worker = null);
