using Npgsql;
using PrunePipeline.Errors;

namespace PrunePipeline.EventStore.Marten;

// Schema creation on start-up.
public sealed partial class MartenEventStore
{
    public async Task InitializeAsync(CancellationToken ct = default)
    {
        if (_schemaReady) return;
        await _schemaLock.WaitAsync(ct);
        try
        {
            if (_schemaReady) return;
            // Opening this connection first also turns "unreachable / wrong password" into one line naming the server.
            await using var connection = await OpenCheckedAsync(ct);
            // Marten's migration compares then alters: two processes doing it at once can collide in the catalog, so
            // they take turns on a session-level advisory lock held while Marten migrates on its own connection.
            await ExecuteAsync(connection, "SELECT pg_advisory_lock(7331, hashtext(@lock))", $"prune-schema:{Schema}", ct);
            try
            {
                await _store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            }
            finally
            {
                await ExecuteAsync(connection, "SELECT pg_advisory_unlock(7331, hashtext(@lock))", $"prune-schema:{Schema}", CancellationToken.None);
            }
            _schemaReady = true;
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    async Task<NpgsqlConnection> OpenCheckedAsync(CancellationToken ct)
    {
        try
        {
            return await _dataSource.OpenConnectionAsync(ct);
        }
        // Unreachable, or refusing us (28xxx: wrong password / not authorised; 3D000: no such database): one line naming
        // the server, retryable by the pipeline. Other server errors are ours and keep their type.
        catch (NpgsqlException e) when (e is not PostgresException || e is PostgresException { SqlState: var state } && (state.StartsWith("28", StringComparison.Ordinal) || state == "3D000"))
        {
            var where = string.Join(";", _dataSource.ConnectionString.Split(';')
                .Where(p => p.StartsWith("Host", StringComparison.OrdinalIgnoreCase) || p.StartsWith("Port", StringComparison.OrdinalIgnoreCase) || p.StartsWith("Username", StringComparison.OrdinalIgnoreCase)));
            throw new ServiceUnavailableException($"PostgreSQL ({where}) refused or could not be reached: {e.Message}", e);
        }
    }

    static async Task ExecuteAsync(NpgsqlConnection connection, string sql, string lockName, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("lock", lockName);
        await command.ExecuteNonQueryAsync(ct);
    }
}
