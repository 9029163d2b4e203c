using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FastLogReg.Data;
using FastLogReg.IO;
using FastLogReg.Models;
using FastLogReg.Tests.Cli;
using FastLogReg.Training;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Xunit;

namespace FastLogReg.Tests.Sharding;

/// <summary>
/// <c>fastlogreg train --cluster localhost:PORT</c> against a real silo in this process (localhost clustering on free
/// ports, as <c>fastlogreg-silo silo</c> runs one): the saved model is the one LogisticRegression.Train gives on the
/// whole file, bit for bit; options a sharded fit cannot honour are refused by name.
/// </summary>
public sealed class ClusterCliTests : IAsyncLifetime
{
    private const int Rows = 12_000;
    private const int Columns = 30;
    private readonly TempDirectory _dir = new();
    private readonly string _clusterId = "cli-test-" + Guid.NewGuid().ToString("N")[..8];
    private IHost _silo = null!;
    private int _gatewayPort;
    private string _csv = null!;

    public async Task InitializeAsync()
    {
        (double[] x, double[] y) = SyntheticData.Generate(Rows, Columns, seed: 5);
        var text = new StringBuilder(string.Join(',', Enumerable.Range(0, Columns).Select(j => $"f{j}")) + ",outcome\n");
        for (int i = 0; i < Rows; i++)
        {
            for (int j = 0; j < Columns; j++)
            {
                text.Append(x[(i * Columns) + j].ToString("R", CultureInfo.InvariantCulture)).Append(',');
            }

            text.Append(y[i] == 1 ? "yes\n" : "no\n");
        }

        _csv = _dir.Write("train.csv", text.ToString());
        int siloPort = FreePort();
        _gatewayPort = FreePort();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(c => (c.ClusterId, c.ServiceId) = (_clusterId, "fastlogreg"));
            silo.UseLocalhostClustering(siloPort, _gatewayPort, new IPEndPoint(IPAddress.Loopback, siloPort));
        });
        _silo = builder.Build();
        await _silo.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _silo.StopAsync();
        _silo.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void TrainOnTheCluster_SavesTheModelOfOneMachine()
    {
        string path = _dir.File("model.json");
        var (code, output, error) = Tool.Run("train", "--data", _csv, "--model", path, "--cluster", $"localhost:{_gatewayPort}", "--cluster-id", _clusterId, "--shards", "3", "--C", "0.5");
        Assert.True(code == 0, error);
        Assert.Contains("3 shards", output);

        LabeledData<double> data = CsvDataReader.Read<double>(_csv);
        var local = (LogisticModel)LogisticRegression.Train(data.Data, new TrainingOptions { Solver = Solver.Lbfgs, L2 = TrainingOptions.L2FromScikitLearnC(0.5, Rows) }).Classifier;
        SavedModel saved = ModelFile.Load(path);
        var model = (LogisticModel)saved.Model;
        Assert.Equal(local.Weights.ToArray(), model.Weights.ToArray());
        Assert.Equal(local.Bias, model.Bias);
        Assert.Equal(data.Labels, saved.Metadata.Labels);
        Assert.Equal(data.FeatureNames, saved.Metadata.FeatureNames);

        // The saved model predicts as any other: evaluate reads it.
        var (evaluated, report, _) = Tool.Run("evaluate", "--model", path, "--data", _csv);
        Assert.Equal(0, evaluated);
        Assert.Contains("accuracy", report, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void TrainOnTheCluster_L1_RunsOwlQn_AndSavesTheModelOfOneMachine()
    {
        string path = _dir.File("l1.json");
        var (code, output, error) = Tool.Run("train", "--data", _csv, "--model", path, "--cluster", $"localhost:{_gatewayPort}", "--cluster-id", _clusterId, "--penalty", "l1", "--C", "0.05");
        Assert.True(code == 0, error);
        Assert.Contains("OWL-QN, L1", output);

        DenseDataset<double> data = CsvDataReader.Read<double>(_csv).Data;
        var local = (LogisticModel)LogisticRegression.Train(data, new TrainingOptions { Solver = Solver.OwlQn, L1Ratio = 1, L2 = TrainingOptions.L2FromScikitLearnC(0.05, Rows) }).Classifier;
        var model = (LogisticModel)ModelFile.Load(path).Model;
        Assert.Contains(0.0, model.Weights.ToArray());
        Assert.Equal(local.Weights.ToArray(), model.Weights.ToArray());
        Assert.Equal(local.Bias, model.Bias);
    }

    [Fact]
    public void TrainOnTheCluster_TheTenDigits_SavesTheMultinomialModelOfOneMachine()
    {
        string data = _dir.Write("digits.csv", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "datasets", "digits.csv")));
        string path = _dir.File("digits.json");
        var (code, output, error) = Tool.Run("train", "--data", data, "--model", path, "--cluster", $"localhost:{_gatewayPort}", "--cluster-id", _clusterId, "--standardize");
        Assert.True(code == 0, error);
        Assert.Contains("10 label classes (Multinomial)", output);

        LabeledData<double> read = CsvDataReader.Read<double>(data, new CsvReadOptions { MaxClasses = 1000 });
        var local = (MulticlassModel)LogisticRegression.Train(read.Data, new TrainingOptions { Standardize = true, L2 = TrainingOptions.L2FromScikitLearnC(1, read.Data.Rows) }).Classifier;
        var model = (MulticlassModel)ModelFile.Load(path).Classifier;
        for (int c = 0; c < 10; c++)
        {
            Assert.Equal(local.Coefficients(c).ToArray(), model.Coefficients(c).ToArray());
            Assert.Equal(local.Intercept(c), model.Intercept(c));
        }

        // Trust-region Newton's K-class Hessian-vector products are sharded too: the local fit's bits.
        (code, _, error) = Tool.Run("train", "--data", data, "--model", _dir.File("newton.json"), "--cluster", $"localhost:{_gatewayPort}", "--cluster-id", _clusterId, "--solver", "newton", "--standardize");
        Assert.True(code == 0, error);
        var newtonLocal = (MulticlassModel)LogisticRegression.Train(read.Data, new TrainingOptions { Solver = Solver.Newton, Standardize = true, L2 = TrainingOptions.L2FromScikitLearnC(1, read.Data.Rows) }).Classifier;
        var newton = (MulticlassModel)ModelFile.Load(_dir.File("newton.json")).Classifier;
        for (int c = 0; c < 10; c++)
        {
            Assert.Equal(newtonLocal.Coefficients(c).ToArray(), newton.Coefficients(c).ToArray());
            Assert.Equal(newtonLocal.Intercept(c), newton.Intercept(c));
        }
    }

    [Fact]
    public void TrainOnTheCluster_ALibsvmFile_SavesTheModelOfOneMachine()
    {
        string data = _dir.Write("heart.libsvm", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "datasets", "heart_scale.libsvm")));
        string path = _dir.File("heart.json");
        var (code, output, error) = Tool.Run("train", "--data", data, "--model", path, "--cluster", $"localhost:{_gatewayPort}", "--cluster-id", _clusterId, "--standardize");
        Assert.True(code == 0, error);
        Assert.Contains("sparse rows", output);

        SparseLabeledData<double> read = LibSvmDataReader.ReadSparse<double>(data);
        var local = (LogisticModel)LogisticRegression.Train(read.Data, new TrainingOptions { Solver = Solver.Lbfgs, Standardize = true, L2 = TrainingOptions.L2FromScikitLearnC(1, read.Data.Rows) }).Classifier;
        var model = (LogisticModel)ModelFile.Load(path).Model;
        Assert.Equal(local.Weights.ToArray(), model.Weights.ToArray());
        Assert.Equal(local.Bias, model.Bias);
    }

    [Fact]
    public void OptionsAShardedFitCannotHonour_AreRefusedByName()
    {
        string path = _dir.File("refused.json");
        string where = $"localhost:{_gatewayPort}";
        (string[] Options, string Message)[] cases =
        [
            (["--cluster", where, "--solver", "cd"], "--solver cd"),
            (["--cluster", where, "--penalty", "l1", "--solver", "newton"], "sharded with owlqn"),
            (["--cluster", where, "--fan-in", "2"], "add --per-shard"),
            (["--shards", "3"], "add --cluster"),
            (["--cluster", where, "--test-fraction", "0.2"], "all of its rows"),
            (["--cluster", "localhost:99999"], "port number"),
            (["--cluster", "myhost:6379"], "redis:CONNECTION"),
            (["--cluster", " "], "--cluster ' ': The cluster address is empty"),
            (["--cluster", where, "--cluster-id", ""], "--cluster-id '': the cluster id is empty"),
            (["--cluster-id", "other"], "--cluster-id 'other' applies to training on a cluster"),
            (["--cluster", where, "--zero-based"], "--zero-based applies to LIBSVM files"),
        ];
        foreach ((string[] options, string message) in cases)
        {
            var (code, _, error) = Tool.Run(["train", "--data", _csv, "--model", path, .. options]);
            Assert.True(code == 2, $"{string.Join(' ', options)}: exit {code}, {error}");
            Assert.Contains(message, error);
        }

        Assert.False(File.Exists(path));
    }

    [Fact]
    public void BadDataOnTheSilos_IsBadInputNamingTheLine()
    {
        string bad = _dir.Write("bad.csv", "a,b,y\n1,2,0\n3,1\n5,6,1\n");
        var (code, _, error) = Tool.Run("train", "--data", bad, "--model", _dir.File("bad.json"), "--cluster", $"localhost:{_gatewayPort}", "--cluster-id", _clusterId);
        Assert.Equal(1, code);
        Assert.Contains("line 3", error);
        Assert.DoesNotContain("   at ", error);
        (code, _, error) = Tool.Run("train", "--data", _dir.Path, "--model", _dir.File("dir.json"), "--cluster", $"localhost:{_gatewayPort}", "--cluster-id", _clusterId);
        Assert.Equal(1, code);
        Assert.Contains("directory", error);
    }

    [Fact]
    public void NoSiloAtTheAddress_IsAClearError()
    {
        string path = _dir.File("unreachable.json");
        var (code, _, error) = Tool.Run("train", "--data", _csv, "--model", path, "--cluster", $"localhost:{FreePort()}", "--cluster-id", _clusterId);
        Assert.Equal(1, code);
        Assert.Contains("no silo of cluster", error);
        Assert.Contains("fastlogreg-silo silo", error);
        Assert.False(File.Exists(path));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
