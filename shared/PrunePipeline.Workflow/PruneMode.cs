namespace PrunePipeline.Workflow;

/// <summary>algorithm.md §8: where the Hessians of block k come from.</summary>
public enum PruneMode
{
    /// <summary>Inputs of block k are the outputs of the already pruned (and refined) blocks &lt; k.</summary>
    Sequential,

    /// <summary>Every Hessian comes from the dense model; layers are independent.</summary>
    OneShot,
}
