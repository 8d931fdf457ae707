using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PrunePipeline.Training;

/// <summary>The optimizer both trainers use: AdamW without weight decay, with the warm-up/decay schedule and norm clip.</summary>
internal sealed class Optimizers : IDisposable
{
    private readonly AdamW _adam; // the concrete type: its state dictionary can be saved and loaded (resume)
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly int _steps;
    private readonly double _lr;
    private readonly double _warmup;
    private readonly double _clip;

    public Optimizers(IReadOnlyList<Parameter> parameters, double lr, int steps, double warmupFraction, double clipNorm)
    {
        _parameters = parameters;
        _adam = optim.AdamW(parameters, lr, weight_decay: 0);
        _steps = steps;
        _lr = lr;
        _warmup = warmupFraction;
        _clip = clipNorm;
    }

    public void ZeroGrad() => _adam.zero_grad();

    /// <summary>Clips the gradient norm, sets the scheduled learning rate and steps. Returns (lr, norm before clipping).</summary>
    public (double Lr, double GradNorm) Step(int step)
    {
        var norm = nn.utils.clip_grad_norm_(_parameters, _clip);
        var lr = _lr * LearningRateSchedule.Factor(step, _steps, _warmup);
        foreach (var g in _adam.ParamGroups) g.LearningRate = lr;
        _adam.step();
        return (lr, norm);
    }

    /// <summary>The AdamW state (moments, step count), serialised by TorchSharp.</summary>
    public byte[] SaveState()
    {
        using var ms = new MemoryStream();
        using (var writer = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true)) _adam.save_state_dict(writer);
        return ms.ToArray();
    }

    /// <summary>Restores a state written by <see cref="SaveState"/> for the same parameters.</summary>
    public void LoadState(byte[] state)
    {
        using var reader = new BinaryReader(new MemoryStream(state, writable: false));
        _adam.load_state_dict(reader);
    }

    public void Dispose() => _adam.Dispose();
}
