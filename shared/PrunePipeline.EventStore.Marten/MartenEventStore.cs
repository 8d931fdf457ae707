using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten;
using Marten.Services;
using Npgsql;

namespace PrunePipeline.EventStore.Marten;

/// <summary>
/// The distributed event store: Marten on PostgreSQL. One Marten stream per run (Guid ids), events under the
/// <see cref="EventTypeRegistry"/>'s aliases, the run's fold and summary as the inline <see cref="RunRecordProjection"/>,
/// optimistic concurrency through Marten's expected version, and an <see cref="AppendReceipt"/> document per causing
/// message for idempotent appends.
/// <para>Each append is one PostgreSQL transaction that first takes a transaction-scoped advisory lock, then runs the
/// Marten session inside it (<see cref="SessionOptions.ForTransaction"/>). The lock is what makes ReadAll safe: Marten
/// takes seq_id from a sequence before commit, so two concurrent appends could commit out of seq_id order and a follower
/// reading "seq_id &gt; last seen" would skip the late one for good. Serialised appends commit in seq_id order. Pipeline
/// events are a few per layer, so the lock costs nothing that matters (see the contract test's figures).</para>
/// </summary>
public sealed partial class MartenEventStore : IEventStore, IAsyncDisposable
{
    readonly NpgsqlDataSource _dataSource;
    readonly DocumentStore _store;
    readonly EventTypeRegistry _registry;
    readonly SemaphoreSlim _schemaLock = new(1, 1);
    readonly string _s; // quoted schema name, prefixed to Marten's tables in the read queries
    volatile bool _schemaReady;

    /// <summary>Connects with an Npgsql connection string; Marten's tables live in <paramref name="schema"/>.</summary>
    public MartenEventStore(string connectionString, string schema = "public", EventTypeRegistry? registry = null,
        IRunSummaryProjection? projection = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        if (schema.Length == 0 || schema.Length > 63 || !(char.IsAsciiLetterLower(schema[0]) || schema[0] == '_')
            || !schema.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            throw new ArgumentException($"schema '{schema}' must be a lower-case identifier ([a-z_][a-z0-9_]*, ≤ 63 characters).");
        Schema = schema;
        _s = $"\"{schema}\"";
        try
        {
            _dataSource = NpgsqlDataSource.Create(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"the PostgreSQL connection string is invalid: {e.Message}", e);
        }
        _registry = registry ?? EventTypeRegistry.CreateDefault();
        var summaries = projection ?? new RunSummaryProjection();
        _store = DocumentStore.For(opts =>
        {
            opts.Connection(_dataSource);
            opts.DatabaseSchemaName = schema;
            opts.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
            // Event data as the registry writes it (camelCase System.Text.Json), so both stores hold the same JSON.
            opts.UseSystemTextJsonForSerialization(new System.Text.Json.JsonSerializerOptions(EventTypeRegistry.JsonOptions),
                casing: Weasel.Core.Casing.CamelCase);
            opts.Events.StreamIdentity = StreamIdentity.AsGuid;
            opts.Events.MetadataConfig.CausationIdEnabled = true;
            opts.Events.MetadataConfig.HeadersEnabled = true;
            foreach (var (alias, type) in _registry.Registered) opts.Events.MapEventType(type, alias);
            opts.Schema.For<RunRecord>().Index(x => x.Created);
            opts.Schema.For<AppendReceipt>();
            opts.Projections.Add(new RunRecordProjection(summaries), global::JasperFx.Events.Projections.ProjectionLifecycle.Inline);
        });
    }

    /// <summary>The schema that holds Marten's tables (mt_events, mt_streams, mt_doc_runrecord, …).</summary>
    public string Schema { get; }

    public async Task<AppendResult> AppendAsync(Guid streamId, string streamType, long expectedVersion, IReadOnlyList<EventToAppend> events,
        Guid? causationId = null, CancellationToken ct = default)
    {
        AppendPlanner.Validate(streamId, streamType, expectedVersion, events);
        var ids = AppendPlanner.Ids(streamId, causationId, events.Count);
        var data = new object[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            data[i] = events[i]?.Data ?? throw new ArgumentException($"event {i} has no data.");
            _registry.AliasOf(data[i].GetType()); // refuses an unregistered type, naming it, before anything is written
        }
        await InitializeAsync(ct);
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(7331, hashtext(@lock))", connection, tx))
        {
            lockCommand.Parameters.AddWithValue("lock", $"prune-events:{Schema}");
            await lockCommand.ExecuteNonQueryAsync(ct);
        }
        await using var session = _store.LightweightSession(SessionOptions.ForTransaction(tx));

        if (causationId != null && await session.LoadAsync<AppendReceipt>(ids[0], ct) is { } receipt)
            return new AppendResult(receipt.FirstVersion, receipt.LastVersion, Duplicate: true);

        var current = (await session.Events.FetchStreamStateAsync(streamId, ct))?.Version ?? 0;
        AppendPlanner.CheckVersion(streamId, expectedVersion, current);
        var last = current + events.Count;
        var wrapped = new object[data.Length];
        for (var i = 0; i < data.Length; i++)
        {
            var e = session.Events.BuildEvent(data[i]);
            e.Id = ids[i];
            e.CausationId = causationId?.ToString();
            e.SetHeader(RunRecordProjection.StreamTypeHeader, streamType);
            wrapped[i] = e;
        }
        // Marten's expected version is the stream's version *after* the append; it checks it again in SaveChanges.
        if (current == 0) session.Events.StartStream(streamId, wrapped);
        else session.Events.Append(streamId, last, wrapped);
        if (causationId != null) session.Insert(new AppendReceipt(ids[0], streamId, current + 1, last));
        try
        {
            await session.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (Exception e) when (e is global::JasperFx.ConcurrencyException or ExistingStreamIdCollisionException)
        {
            await tx.RollbackAsync(CancellationToken.None);
            throw new ConcurrencyException(streamId, expectedVersion, await GetStreamVersionAsync(streamId, ct));
        }
        catch (ApplyEventException e) when (e.InnerException is { } inner)
        {
            // The summary projection failed (nothing was committed): its own exception, not Marten's wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(inner);
        }
        return new AppendResult(current + 1, last, Duplicate: false);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        await _dataSource.DisposeAsync();
    }
}
