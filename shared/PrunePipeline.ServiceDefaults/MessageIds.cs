using System.Security.Cryptography;
using System.Text;
using PrunePipeline.EventStore;

namespace PrunePipeline.ServiceDefaults;

/// <summary>
/// Deterministic message ids. A command's id is derived from its run and what it asks for ("prune/model.layers.0…"),
/// so re-sending it after a coordinator restart reuses the id; an event's id is derived from the command that caused
/// it. The coordinator appends each event with its message id as causation id, so redeliveries and re-sent commands
/// append nothing twice (<see cref="EventIds"/>).
/// </summary>
public static class MessageIds
{
    /// <summary>Id of the command <paramref name="what"/> of run <paramref name="runId"/>.</summary>
    public static Guid Command(Guid runId, string what)
    {
        var name = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(what)).AsSpan(0, 16));
        return EventIds.Derive(name, runId, 0);
    }

    /// <summary>Id of the <paramref name="index"/>-th event published while handling message <paramref name="causationId"/>.</summary>
    public static Guid Reply(Guid causationId, Guid runId, int index = 0) => EventIds.Derive(causationId, runId, 1000 + index);
}
