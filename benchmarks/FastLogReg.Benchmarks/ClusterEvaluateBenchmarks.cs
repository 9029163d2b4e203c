using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using FastLogReg.Data;
using FastLogReg.IO;
using FastLogReg.Objective;
using FastLogReg.Orleans;
using Orleans.TestingHost;

namespace FastLogReg.Benchmarks;

/// <summary>
/// One evaluation of the objective (loss and full gradient) on 100,000 × 50 double rows: on this machine (the baseline,
/// LogisticObjective on all cores) against the same rows held by 4 shard grains on a 2-silo Orleans cluster in this
/// process, folded bit-identically; and the transport alone — a grain call carrying a d-value vector both ways (Echo)
/// for d = 50 and d = 10⁶ (8 MB each way). Two transports: TCP loopback (InProcessTestCluster: the silos and the client
/// talk over sockets, as on a network) and Orleans' in-memory transport (TestCluster with ConnectionTransportType.InMemory:
/// the same messages, serialized, through in-process pipes — what is left is the runtime's own cost).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class ClusterEvaluateBenchmarks
{
    private const int Rows = 100_000;
    private const int Columns = 50;
    private IAsyncDisposable _cluster = null!;
    private LogisticObjective<double> _local = null!;
    private RegularizedObjective _sharded = null!;
    private IShardGrain _echo = null!;
    private double[] _point = null!;
    private double[] _gradient = null!;
    private byte[] _small = null!;
    private byte[] _large = null!;
    private string _csv = null!;

    /// <summary>How the client and the silos talk.</summary>
    [Params("TCP loopback", "in-memory")]
    public string Transport { get; set; } = "TCP loopback";

    [GlobalSetup]
    public void Setup()
    {
        _csv = Path.Combine(Path.GetTempPath(), $"fastlogreg-bench-cluster-{Rows}x{Columns}.csv");
        if (!File.Exists(_csv))
        {
            var random = new Random(7);
            var text = new StringBuilder(string.Join(',', Enumerable.Range(0, Columns).Select(j => $"x{j}")) + ",y\n");
            for (int i = 0; i < Rows; i++)
            {
                double z = 0;
                for (int j = 0; j < Columns; j++)
                {
                    double v = Math.Round((random.NextDouble() * 2) - 1, 4);
                    z += v * ((j % 5) - 2);
                    text.Append(v.ToString("R", CultureInfo.InvariantCulture)).Append(',');
                }

                text.Append(random.NextDouble() < 1 / (1 + Math.Exp(-z)) ? "1\n" : "0\n");
            }

            File.WriteAllText(_csv + ".partial", text.ToString());
            File.Move(_csv + ".partial", _csv, overwrite: true);
        }

        DenseDataset<double> data = CsvDataReader.Read<double>(_csv).Data;
        _local = new LogisticObjective<double>(data, 1e-3);
        IGrainFactory client;
        if (Transport == "in-memory")
        {
            var builder = new TestClusterBuilder(2);
            builder.Options.ConnectionTransport = ConnectionTransportType.InMemory;
            TestCluster cluster = builder.Build();
            cluster.Deploy();
            (_cluster, client) = (cluster, cluster.Client);
        }
        else
        {
            InProcessTestCluster cluster = new InProcessTestClusterBuilder(2).Build();
            cluster.DeployAsync().GetAwaiter().GetResult();
            (_cluster, client) = (cluster, cluster.Client);
        }

        ClusterLossSums source = ClusterLossSums.ConnectAsync(client, _csv, null, new ClusterTrainingOptions { Shards = 4 }).GetAwaiter().GetResult();
        _sharded = new RegularizedObjective(source, Penalty.L2(1e-3));
        _point = Enumerable.Range(0, Columns + 1).Select(j => 0.01 * (j % 7)).ToArray();
        _gradient = new double[Columns + 1];
        _echo = client.GetGrain<IShardGrain>("bench/echo");
        _small = new byte[Columns * sizeof(double)];
        _large = new byte[1_000_000 * sizeof(double)];

        double[] check = new double[Columns + 1];
        if (_local.Evaluate(_point, _gradient) != _sharded.Evaluate(_point, check) || !_gradient.AsSpan().SequenceEqual(check))
        {
            throw new InvalidOperationException("The cluster's objective differs from the local one.");
        }

        Console.WriteLine($"// {Transport}: {source.Plan.Shards.Count} shards, {source.Plan.ChunkCount} chunks, kernels at {source.KernelWidth}; the cluster's objective equals the local one bit for bit");
    }

    [GlobalCleanup]
    public void Cleanup() => _cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "evaluate, this machine (LogisticObjective)")]
    public double Local() => _local.Evaluate(_point, _gradient);

    [Benchmark(Description = "evaluate, 4 shards on 2 silos")]
    public double Cluster() => _sharded.Evaluate(_point, _gradient);

    [Benchmark(Description = "grain call, 50 doubles each way")]
    public int EchoSmall() => _echo.Echo(_small).GetAwaiter().GetResult().Length;

    [Benchmark(Description = "grain call, 10^6 doubles (8 MB) each way")]
    public int EchoLarge() => _echo.Echo(_large).GetAwaiter().GetResult().Length;
}
