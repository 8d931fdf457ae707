using System.Reflection;
using MassTransit;

namespace PrunePipeline.Coordinator.Tests;

/// <summary>An <see cref="IPublishEndpoint"/> that records every published message and fails the first N publishes
/// (a broker that drops the connection), built as a proxy so the interface's many overloads need no hand-written stubs.</summary>
public class RecordingPublisher : DispatchProxy
{
    int _failuresLeft;

    public List<object> Published { get; } = [];

    public static IPublishEndpoint Create(int failFirst)
    {
        var proxy = Create<IPublishEndpoint, RecordingPublisher>();
        ((RecordingPublisher)(object)proxy)._failuresLeft = failFirst;
        return proxy;
    }

    public static RecordingPublisher Of(IPublishEndpoint endpoint) => (RecordingPublisher)(object)endpoint;

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        if (method?.Name != nameof(IPublishEndpoint.Publish)) throw new NotSupportedException(method?.Name);
        if (_failuresLeft-- > 0) return Task.FromException(new IOException("broker connection lost"));
        Published.Add(args![0]!);
        return Task.CompletedTask;
    }
}
