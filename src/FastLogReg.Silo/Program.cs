using System.Globalization;
using System.Net;
using FastLogReg.IO;
using FastLogReg.Models;
using FastLogReg.Orleans;
using FastLogReg.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace FastLogReg.Silo;

/// <summary>
/// <c>fastlogreg-silo silo</c> runs a silo that hosts FastLogReg's shard grains until stopped (Ctrl+C, SIGTERM);
/// <c>fastlogreg-silo train --data file.csv --model m.json</c> trains on the cluster as a client (or, with
/// <c>--local</c>, on this machine alone, for comparison). Every setting comes from an option or its environment
/// variable: the cluster id (FASTLOGREG_CLUSTER_ID, default "fastlogreg"), Redis membership (FASTLOGREG_REDIS, a
/// connection string; without it, localhost clustering for one box), the silo and gateway ports (FASTLOGREG_SILO_PORT,
/// default 11111; FASTLOGREG_GATEWAY_PORT, default 30000) and, for localhost clustering, the primary silo's port
/// (FASTLOGREG_PRIMARY_PORT, default 11111).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        try
        {
            if (args.Length == 0 || args[0] is not ("silo" or "train"))
            {
                Console.Error.WriteLine("usage: fastlogreg-silo silo [--cluster-id ID] [--redis CONNECTION] [--silo-port P] [--gateway-port P] [--primary-port P]");
                Console.Error.WriteLine("       fastlogreg-silo train --data FILE.csv --model M.json [--label COLUMN] [--l2 λ] [--standardize] [--newton] [--shards N] [--per-shard] [--call-timeout S] [--max-attempts N] [--progress] [--evaluation-delay MS] [--local] [--redis …] [--gateway-port P]");
                return 2;
            }

            var options = Options.Parse(args.AsSpan(1));
            return args[0] == "silo" ? await RunSilo(options) : await Train(options);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is DataFormatException or IOException or NotSupportedException or InvalidOperationException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static async Task<int> RunSilo(Options o)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(c => (c.ClusterId, c.ServiceId) = (o.ClusterId, "fastlogreg"));
            if (o.Redis is { } redis)
            {
                silo.UseRedisClustering(redis);
                silo.ConfigureEndpoints(o.SiloPort, o.GatewayPort);
            }
            else
            {
                silo.UseLocalhostClustering(o.SiloPort, o.GatewayPort, new IPEndPoint(IPAddress.Loopback, o.PrimaryPort));
            }
        });
        using IHost host = builder.Build();
        await host.StartAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"silo up: cluster '{o.ClusterId}', {(o.Redis is null ? "localhost clustering" : "Redis membership")}, silo port {o.SiloPort}, gateway port {o.GatewayPort}"));
        await host.WaitForShutdownAsync();
        return 0;
    }

    private static async Task<int> Train(Options o)
    {
        string data = o.Data ?? throw new UsageException("train needs --data FILE.csv (a path every silo can read).");
        string model = o.Model ?? throw new UsageException("train needs --model M.json.");
        var options = new TrainingOptions { Solver = o.Newton ? Solver.Newton : Solver.Lbfgs, L2 = o.L2, Tolerance = o.Tolerance, MaxIterations = o.MaxIterations, Standardize = o.Standardize };
        LogisticModel trained;
        string how;
        if (o.Local)
        {
            trained = (LogisticModel)LogisticRegression.Train(CsvDataReader.Read<double>(Path.GetFullPath(data), new CsvReadOptions { LabelColumn = o.Label }).Data, options).Classifier;
            how = "on this machine";
        }
        else
        {
            var address = new ClusterAddress { ClusterId = o.ClusterId, Redis = o.Redis, GatewayPort = o.GatewayPort };
            await using ConnectedCluster cluster = await address.ConnectAsync();
            ClusterTrainingResult result = await ClusterTraining.TrainAsync(cluster.Client, Path.GetFullPath(data), options, new ClusterTrainingOptions { Shards = o.Shards, LabelColumn = o.Label, PerShardSums = o.PerShard, CallTimeout = TimeSpan.FromSeconds(o.CallTimeoutSeconds), MaxAttempts = o.MaxAttempts, BeforeEvaluation = BeforeEvaluation(o) });
            trained = result.Model; // this worker's demo trains binary files
            how = string.Create(CultureInfo.InvariantCulture, $"on the cluster: {result.Shards} shards, kernels at {result.KernelWidth}, {result.Optimization.Iterations} iterations, {result.Retries} calls retried");
        }

        ModelFile.Save(new SavedModel(trained, new ModelMetadata()), Path.GetFullPath(model));
        Console.WriteLine($"trained {how}; model saved to {model}");
        return 0;
    }

    /// <summary>With --progress, a line per evaluation; with --evaluation-delay, a pause before each (for demos that kill a silo mid-fit).</summary>
    private static Action<int>? BeforeEvaluation(Options o) => !o.Progress && o.EvaluationDelayMs == 0 ? null : n =>
    {
        if (o.Progress)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"evaluation {n}"));
        }

        Thread.Sleep(o.EvaluationDelayMs);
    };

    private sealed class UsageException(string message) : Exception(message);

    /// <summary>Options from the command line, each falling back to its environment variable, then its default.</summary>
    private sealed class Options
    {
        public string ClusterId { get; private set; } = Environment.GetEnvironmentVariable("FASTLOGREG_CLUSTER_ID") ?? "fastlogreg";

        public string? Redis { get; private set; } = Environment.GetEnvironmentVariable("FASTLOGREG_REDIS");

        public int SiloPort { get; private set; } = Port("FASTLOGREG_SILO_PORT", 11111);

        public int GatewayPort { get; private set; } = Port("FASTLOGREG_GATEWAY_PORT", 30000);

        public int PrimaryPort { get; private set; } = Port("FASTLOGREG_PRIMARY_PORT", 11111);

        public string? Data { get; private set; }

        public string? Model { get; private set; }

        public string? Label { get; private set; }

        public double L2 { get; private set; } = 1e-3;

        public double Tolerance { get; private set; } = 1e-6;

        public int MaxIterations { get; private set; } = 1000;

        public int Shards { get; private set; } = 4;

        public bool PerShard { get; private set; }

        public bool Local { get; private set; }

        public double CallTimeoutSeconds { get; private set; } = 30;

        public int MaxAttempts { get; private set; } = 30;

        public bool Progress { get; private set; }

        public bool Standardize { get; private set; }

        public bool Newton { get; private set; }

        public int EvaluationDelayMs { get; private set; }

        public static Options Parse(ReadOnlySpan<string> args)
        {
            var o = new Options();
            for (int i = 0; i < args.Length; i++)
            {
                string name = args[i];
                if (name is "--per-shard" or "--local" or "--progress" or "--standardize" or "--newton")
                {
                    _ = name switch { "--local" => o.Local = true, "--progress" => o.Progress = true, "--standardize" => o.Standardize = true, "--newton" => o.Newton = true, _ => o.PerShard = true };
                    continue;
                }

                if (i + 1 >= args.Length)
                {
                    throw new UsageException($"{name} needs a value.");
                }

                string value = args[++i];
                switch (name)
                {
                    case "--cluster-id": o.ClusterId = value; break;
                    case "--redis": o.Redis = value; break;
                    case "--silo-port": o.SiloPort = ParsePort(name, value); break;
                    case "--gateway-port": o.GatewayPort = ParsePort(name, value); break;
                    case "--primary-port": o.PrimaryPort = ParsePort(name, value); break;
                    case "--data": o.Data = value; break;
                    case "--model": o.Model = value; break;
                    case "--label": o.Label = value; break;
                    case "--l2": o.L2 = ParseNumber(name, value, v => v >= 0); break;
                    case "--tolerance": o.Tolerance = ParseNumber(name, value, v => v >= 0); break;
                    case "--max-iterations": o.MaxIterations = (int)ParseNumber(name, value, v => v >= 0 && v <= int.MaxValue && v == Math.Floor(v)); break;
                    case "--evaluation-delay": o.EvaluationDelayMs = (int)ParseNumber(name, value, v => v >= 0 && v <= 60_000 && v == Math.Floor(v)); break;
                    case "--max-attempts": o.MaxAttempts = (int)ParseNumber(name, value, v => v >= 1 && v <= 1000 && v == Math.Floor(v)); break;
                    case "--call-timeout": o.CallTimeoutSeconds = ParseNumber(name, value, v => v > 0 && v <= 86_400); break;
                    case "--shards": o.Shards = (int)ParseNumber(name, value, v => v >= 1 && v <= 10_000 && v == Math.Floor(v)); break;
                    default: throw new UsageException($"unknown option '{name}'.");
                }
            }

            return o;
        }

        private static int Port(string variable, int fallback) =>
            Environment.GetEnvironmentVariable(variable) is { } text ? ParsePort(variable, text) : fallback;

        private static int ParsePort(string name, string text) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is > 0 and < 65536
                ? port
                : throw new UsageException($"{name} must be a port number from 1 to 65535, not '{text}'.");

        private static double ParseNumber(string name, string text, Func<double, bool> accept) =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) && accept(v)
                ? v
                : throw new UsageException($"{name}: '{text}' is not accepted.");
    }
}
