using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace FastLogReg.Orleans;

/// <summary>
/// Where a cluster of FastLogReg silos is: its id and how its members are found — Redis membership (a connection
/// string, for machines on a network), or localhost clustering (one box, the silos' gateway on a port).
/// </summary>
public sealed record ClusterAddress
{
    /// <summary>The cluster id every silo was started with. Default "fastlogreg".</summary>
    public string ClusterId { get; init; } = "fastlogreg";

    /// <summary>The Redis connection string of the membership table; null for localhost clustering.</summary>
    public string? Redis { get; init; }

    /// <summary>With localhost clustering, the gateway port of a silo on this machine. Default 30000.</summary>
    public int GatewayPort { get; init; } = 30000;

    /// <summary>
    /// <c>localhost</c> or <c>localhost:PORT</c> (localhost clustering, the gateway on PORT, default 30000), or
    /// <c>redis:CONNECTION</c> (Redis membership; CONNECTION a StackExchange.Redis connection string such as
    /// <c>redis-host:6379</c> or <c>host1:6379,host2:6379,password=…</c>).
    /// </summary>
    /// <exception cref="FormatException">Empty, neither form, or a port that is not 1–65535.</exception>
    public static ClusterAddress Parse(string text, string clusterId = "fastlogreg")
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (text.Length == 0)
        {
            throw new FormatException("The cluster address is empty: give 'localhost', 'localhost:PORT' or a Redis connection string.");
        }

        if (text.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new ClusterAddress { ClusterId = clusterId };
        }

        if (text.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase))
        {
            string port = text["localhost:".Length..];
            return int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p is > 0 and < 65536
                ? new ClusterAddress { ClusterId = clusterId, GatewayPort = p }
                : throw new FormatException($"'{port}' in '{text}' is not a port number from 1 to 65535.");
        }

        if (text.StartsWith("redis:", StringComparison.OrdinalIgnoreCase) && text.Length > "redis:".Length)
        {
            return new ClusterAddress { ClusterId = clusterId, Redis = text["redis:".Length..] };
        }

        throw new FormatException($"'{text}' is not a cluster address: give 'localhost', 'localhost:PORT' (silos on this machine) or 'redis:CONNECTION' (Redis membership, e.g. redis:redis-host:6379).");
    }

    /// <summary>How many times connecting is tried (a second apart) before <see cref="ConnectAsync"/> gives up. Default 5.</summary>
    public int ConnectAttempts { get; init; } = 5;

    /// <summary>
    /// Connects a client to the cluster (the silos must be up), trying <see cref="ConnectAttempts"/> times a second
    /// apart; dispose it to leave. The client logs nothing (host your own client with <c>UseOrleansClient</c> for logs).
    /// </summary>
    /// <exception cref="OrleansException">No silo answered.</exception>
    public async Task<ConnectedCluster> ConnectAsync(CancellationToken cancellationToken = default)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        int attempts = 0;
        builder.UseOrleansClient(client =>
        {
            client.UseConnectionRetryFilter(async (_, token) =>
            {
                if (++attempts >= ConnectAttempts)
                {
                    return false;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), token).ConfigureAwait(false);
                return true;
            });
            client.Configure<ClusterOptions>(c => (c.ClusterId, c.ServiceId) = (ClusterId, "fastlogreg"));
            if (Redis is { } redis)
            {
                client.UseRedisClustering(redis);
            }
            else
            {
                client.UseLocalhostClustering(GatewayPort);
            }
        });
        IHost host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new ConnectedCluster(host);
    }

    /// <inheritdoc/>
    public override string ToString() => Redis is null
        ? string.Create(CultureInfo.InvariantCulture, $"cluster '{ClusterId}' on this machine (gateway port {GatewayPort})")
        : $"cluster '{ClusterId}' (Redis membership)";
}

/// <summary>A client connected to a cluster: <see cref="Client"/> to train with; dispose to disconnect.</summary>
public sealed class ConnectedCluster : IAsyncDisposable
{
    private readonly IHost _host;

    internal ConnectedCluster(IHost host)
    {
        _host = host;
        Client = host.Services.GetRequiredService<IClusterClient>();
    }

    /// <summary>The cluster client (an <see cref="IGrainFactory"/>).</summary>
    public IClusterClient Client { get; }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync().ConfigureAwait(false);
        _host.Dispose();
    }
}
