using System.Diagnostics;
using System.Globalization;
using System.Text;
using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Orleans;
using FastLogReg.Training;
using Orleans.TestingHost;

namespace FastLogReg.Benchmarks;

/// <summary>
/// <c>--cluster-multiclass [NAME] [SHARDS] [C]</c>: a K-class data set (IllConditioned's names; default raw correlated
/// 20,000 × 50 × 5) trained on one machine and on an in-process two-silo Orleans cluster (TCP loopback, every silo on
/// this machine's cores) with L-BFGS, Auto and trust-region Newton: iterations, the cluster's evaluation rounds, times (first
/// fit of each; the cluster's include connecting the shards and loading their rows), and whether the models are
/// bit-identical.
/// </summary>
internal static class ClusterNewtonProbe
{
    public static int Run(string[] args)
    {
        var c = CultureInfo.InvariantCulture;
        string name = args.Length > 0 ? args[0] : "correlated-classes-20000x50x5";
        int shards = args.Length > 1 ? int.Parse(args[1], c) : 4;
        double cost = args.Length > 2 ? double.Parse(args[2], c) : 1;
        DenseDataset<float> data = IllConditioned.Load(name);
        string csv = Path.Combine(Path.GetTempPath(), $"fastlogreg-cluster-newton-{Environment.ProcessId}.csv");
        var text = new StringBuilder(string.Join(',', Enumerable.Range(0, data.Columns).Select(j => $"x{j}")) + ",y\n");
        ReadOnlySpan<float> x = data.Features.Span;
        ReadOnlySpan<float> y = data.Labels.Span;
        for (int i = 0; i < data.Rows; i++)
        {
            for (int j = 0; j < data.Columns; j++)
            {
                text.Append(x[(i * data.Columns) + j].ToString("R", c)).Append(',');
            }

            text.Append(((int)y[i]).ToString(c)).Append('\n');
        }

        File.WriteAllText(csv, text.ToString());
        try
        {
            DenseDataset<double> read = FastLogReg.IO.CsvDataReader.Read<double>(csv, new FastLogReg.IO.CsvReadOptions { MaxClasses = 1000 }).Data;
            InProcessTestCluster cluster = new InProcessTestClusterBuilder(2).Build();
            cluster.DeployAsync().GetAwaiter().GetResult();
            try
            {
                Console.WriteLine($"{name}: {read.Rows} × {read.Columns}, K = {read.ClassCount}, C = {cost}, {shards} shards on 2 in-process silos");
                foreach (Solver solver in new[] { Solver.Lbfgs, Solver.Auto, Solver.Newton })
                {
                    var options = new TrainingOptions { Solver = solver, L2 = TrainingOptions.L2FromScikitLearnC(cost, read.Rows), Tolerance = 1e-8, MaxIterations = 5000 };
                    var watch = Stopwatch.StartNew();
                    TrainingResult local = LogisticRegression.Train(read, options);
                    double localMs = watch.Elapsed.TotalMilliseconds;
                    int evaluations = 0;
                    watch.Restart();
                    ClusterTrainingResult sharded = ClusterTraining.TrainAsync(cluster.Client, csv, options, new ClusterTrainingOptions { Shards = shards, MaxClasses = 1000, BeforeEvaluation = n => evaluations = n }).GetAwaiter().GetResult();
                    double clusterMs = watch.Elapsed.TotalMilliseconds;
                    var a = (MulticlassModel)local.Classifier;
                    var b = (MulticlassModel)sharded.Classifier;
                    bool same = Enumerable.Range(0, a.ClassCount).All(k => a.Coefficients(k).SequenceEqual(b.Coefficients(k)) && a.Intercept(k) == b.Intercept(k));
                    Console.WriteLine(string.Format(c, "{0,-7} local: {1} iterations, {2:G5} passes, f = {3:R}, {4:F0} ms | cluster: {5} iterations, {6} evaluation rounds, {7:F0} ms | bit-identical: {8}", solver, local.Report.Iterations, local.Report.DataPasses, local.Report.FinalObjective, localMs, sharded.Optimization.Iterations, evaluations, clusterMs, same));
                }
            }
            finally
            {
                cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        finally
        {
            File.Delete(csv);
        }

        return 0;
    }
}
