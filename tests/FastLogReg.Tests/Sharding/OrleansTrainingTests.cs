using System.Globalization;
using System.Text;
using FastLogReg.IO;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Orleans;
using FastLogReg.Training;
using Orleans.TestingHost;
using Xunit;

namespace FastLogReg.Tests.Sharding;

/// <summary>
/// Training on a real two-silo Orleans cluster (InProcessTestCluster): the model equals LogisticRegression.Train on the
/// whole file bit for bit — also when a silo stops in the middle of the fit and its shards move to the other one.
/// </summary>
public sealed class OrleansTrainingTests : IAsyncLifetime
{
    private const int Rows = 30_000;
    private const int Columns = 40; // 10 chunks of double rows
    private readonly TempDirectory _dir = new();
    private InProcessTestCluster _cluster = null!;
    private string _csv = null!;

    public async Task InitializeAsync()
    {
        (double[] x, double[] y) = SyntheticData.Generate(Rows, Columns, seed: 23);
        var text = new StringBuilder(string.Join(',', Enumerable.Range(0, Columns).Select(j => $"x{j}")) + ",y\n");
        for (int i = 0; i < Rows; i++)
        {
            for (int j = 0; j < Columns; j++)
            {
                text.Append(x[(i * Columns) + j].ToString("R", CultureInfo.InvariantCulture)).Append(',');
            }

            text.Append(y[i] == 1 ? "1\n" : "0\n");
        }

        _csv = _dir.Write("train.csv", text.ToString());
        _cluster = new InProcessTestClusterBuilder(2).Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task TwoSilos_FourShards_AreBitIdenticalToOneMachine()
    {
        var options = new TrainingOptions { Solver = Solver.Lbfgs, L2 = 1e-3, Tolerance = 1e-9, MaxIterations = 300, ClassWeights = ClassWeights.Balanced };
        var local = (LogisticModel)LogisticRegression.Train(CsvDataReader.Read<double>(_csv).Data, options).Classifier;

        ClusterTrainingResult sharded = await ClusterTraining.TrainAsync(_cluster.Client, _csv, options, new ClusterTrainingOptions { Shards = 4 });

        Assert.Equal(4, sharded.Shards);
        Assert.Equal(local.Weights.ToArray(), sharded.Model.Weights.ToArray());
        Assert.Equal(local.Bias, sharded.Model.Bias);
        Assert.Equal(0, sharded.Retries);
    }

    [Fact]
    public async Task Standardized_TheMergedMomentsAndTheModel_AreBitIdenticalToOneMachine()
    {
        var options = new TrainingOptions { Solver = Solver.Lbfgs, L2 = 1e-3, Tolerance = 1e-9, MaxIterations = 300, Standardize = true };
        TrainingResult local = LogisticRegression.Train(CsvDataReader.Read<double>(_csv).Data, options);

        ClusterTrainingResult sharded = await ClusterTraining.TrainAsync(_cluster.Client, _csv, options, new ClusterTrainingOptions { Shards = 3 });

        var model = (LogisticModel)local.Classifier;
        Assert.Equal(model.Weights.ToArray(), sharded.Model.Weights.ToArray());
        Assert.Equal(model.Bias, sharded.Model.Bias);
    }

    /// <summary>
    /// One column of 10⁻¹⁷⁰-scale values: both sides sum its moments in units — one machine decides from the largest
    /// deviations its moments' pass takes, the driver from the shards' (Extremes) — and the models agree bit for bit.
    /// </summary>
    [Fact]
    public async Task Standardized_WithATinyColumn_IsBitIdenticalToOneMachine()
    {
        string[] lines = File.ReadAllLines(_csv);
        var text = new StringBuilder(lines[0]).Append('\n');
        foreach (string line in lines.Skip(1).Take(6_000))
        {
            string[] fields = line.Split(',');
            fields[2] = (double.Parse(fields[2], CultureInfo.InvariantCulture) * 1e-170).ToString("R", CultureInfo.InvariantCulture);
            text.Append(string.Join(',', fields)).Append('\n');
        }

        string csv = _dir.Write("tiny.csv", text.ToString());
        var options = new TrainingOptions { Solver = Solver.Lbfgs, L2 = 1e-3, Tolerance = 1e-9, MaxIterations = 300, Standardize = true };
        TrainingResult local = LogisticRegression.Train(CsvDataReader.Read<double>(csv).Data, options);
        Assert.True(local.Standardization!.Scales[2] < 1e-160, "the tiny column was standardized as itself");

        ClusterTrainingResult sharded = await ClusterTraining.TrainAsync(_cluster.Client, csv, options, new ClusterTrainingOptions { Shards = 3 });

        var model = (LogisticModel)local.Classifier;
        Assert.Equal(model.Weights.ToArray(), sharded.Model.Weights.ToArray());
        Assert.Equal(model.Bias, sharded.Model.Bias);
    }

    [Fact]
    public async Task Newton_OnTheCluster_IsBitIdenticalToOneMachine()
    {
        var options = new TrainingOptions { Solver = Solver.Newton, L2 = 1e-3, Tolerance = 1e-10, MaxIterations = 100 };
        var local = (LogisticModel)LogisticRegression.Train(CsvDataReader.Read<double>(_csv).Data, options).Classifier;

        ClusterTrainingResult sharded = await ClusterTraining.TrainAsync(_cluster.Client, _csv, options, new ClusterTrainingOptions { Shards = 3 });

        Assert.Equal(local.Weights.ToArray(), sharded.Model.Weights.ToArray());
        Assert.Equal(local.Bias, sharded.Model.Bias);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)] // through the aggregation tree: a node that loses its silo fails the root's call, which is retried whole
    public async Task ASiloStoppedAtTheFifthEvaluation_GivesTheSameBits(int fanIn)
    {
        var options = new TrainingOptions { Solver = Solver.Lbfgs, L2 = 1e-3, Tolerance = 1e-9, MaxIterations = 300 };
        var reference = fanIn == 0
            ? (LogisticModel)LogisticRegression.Train(CsvDataReader.Read<double>(_csv).Data, options).Classifier
            : (await ClusterTraining.TrainAsync(_cluster.Client, _csv, options, new ClusterTrainingOptions { Shards = 5, PerShardSums = true, FanIn = fanIn })).Model;
        var local = reference;
        InProcessSiloHandle victim = _cluster.Silos[1];
        var cluster = new ClusterTrainingOptions
        {
            Shards = fanIn == 0 ? 4 : 5,
            PerShardSums = fanIn > 0,
            FanIn = fanIn,
            CallTimeout = TimeSpan.FromSeconds(20),
            BeforeEvaluation = n =>
            {
                if (n == 5)
                {
                    _cluster.StopSiloAsync(victim).GetAwaiter().GetResult();
                }
            },
        };

        ClusterTrainingResult sharded = await ClusterTraining.TrainAsync(_cluster.Client, _csv, options, cluster);

        Assert.False(victim.IsActive);
        Assert.Equal(local.Weights.ToArray(), sharded.Model.Weights.ToArray());
        Assert.Equal(local.Bias, sharded.Model.Bias);
    }

    [Theory]
    [InlineData(3, 0)] // the caller gathers the 3 shard sums
    [InlineData(5, 2)] // a tree: ((s0 + s1) + s2) + (s3 + s4), folded by shard grains
    public async Task PerShardSums_EqualALocalFoldWithTheSameShardCuts(int shardCount, int fanIn)
    {
        var options = new TrainingOptions { Solver = Solver.Lbfgs, L2 = 1e-3, Tolerance = 1e-9, MaxIterations = 300 };
        ClusterTrainingResult sharded = await ClusterTraining.TrainAsync(_cluster.Client, _csv, options, new ClusterTrainingOptions { Shards = shardCount, PerShardSums = true, FanIn = fanIn });

        // The same cuts on this machine: each shard's chunks folded into one sum, then the shard sums in order (or through the same tree).
        var data = CsvDataReader.Read<double>(_csv).Data;
        ShardPlan plan = ShardPlan.Dense(data.Rows, data.Columns, sizeof(double), shardCount);
        ShardLossSums<double>[] shards = plan.Shards.Select(r => new ShardLossSums<double>(
            FastLogReg.Data.DenseDataset.Create(data.Features.Slice(r.FirstRow * Columns, r.Rows * Columns).ToArray(), data.Labels.Slice(r.FirstRow, r.Rows).ToArray(), Columns), plan, r.Index)).ToArray();
        var objective = new RegularizedObjective(new PerShardSource(shards, data.Rows, fanIn), options.Penalty);
        var local = FastLogReg.Optimization.Lbfgs.Minimize(objective, new double[Columns + 1], new FastLogReg.Optimization.SolverOptions { Tolerance = options.Tolerance, MaxIterations = options.MaxIterations }, options.LbfgsHistory);

        Assert.Equal(local.Point.AsSpan(0, Columns).ToArray(), sharded.Model.Weights.ToArray());
        Assert.Equal(local.Point[Columns], sharded.Model.Bias);

        // Against the single machine: the same model to within rounding of the grouped sums.
        var single = (LogisticModel)LogisticRegression.Train(data, options).Classifier;
        for (int j = 0; j < Columns; j++)
        {
            Assert.Equal(single.Weights[j], sharded.Model.Weights[j], 1e-8);
        }
    }

    private sealed class PerShardSource(ShardLossSums<double>[] shards, double totalWeight, int fanIn) : ILossSumsSource
    {
        private readonly LossSums[] _sums = shards.Select(s => new LossSums(s.Columns)).ToArray();

        public int Columns => shards[0].Columns;

        public double TotalWeight => totalWeight;

        public void Evaluate(ReadOnlySpan<double> weights, double bias, LossSums sums)
        {
            for (int s = 0; s < shards.Length; s++)
            {
                shards[s].Evaluate(weights, bias, _sums[s]);
            }

            if (fanIn >= 2)
            {
                AggregationTree.Fold(_sums, fanIn, sums);
            }
            else
            {
                ShardedLossSums.Fold(_sums, sums);
            }
        }
    }

    [Fact]
    public async Task UnshardableOptions_AreRefusedByName()
    {
        var error = await Assert.ThrowsAsync<NotSupportedException>(() => ClusterTraining.TrainAsync(_cluster.Client, _csv, new TrainingOptions { L2 = 1e-3, L1Ratio = 1, Solver = Solver.CoordinateDescent }));
        Assert.Contains("coordinate descent reads columns", error.Message);
        error = await Assert.ThrowsAsync<NotSupportedException>(() => ClusterTraining.TrainAsync(_cluster.Client, _csv, new TrainingOptions { Solver = Solver.Nesterov }));
        Assert.Contains("needs TrainingOptions.LearningRate", error.Message);
        error = await Assert.ThrowsAsync<NotSupportedException>(() => ClusterTraining.TrainAsync(_cluster.Client, _csv, new TrainingOptions { Solver = Solver.MiniBatchSgd }));
        Assert.Contains("samples rows", error.Message);
        error = await Assert.ThrowsAsync<NotSupportedException>(() => ClusterTraining.TrainAsync(_cluster.Client, _csv, new TrainingOptions { L2 = 1e-3, Solver = Solver.DualCoordinateDescent }));
        Assert.Contains("does not run DualCoordinateDescent", error.Message);
        var tree = await Assert.ThrowsAsync<ArgumentException>(() => ClusterTraining.TrainAsync(_cluster.Client, _csv, new TrainingOptions(), new ClusterTrainingOptions { FanIn = 2 }));
        Assert.Contains("set PerShardSums too", tree.Message);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task Libsvm_SparseShards_AreBitIdenticalToOneMachine(bool standardize, bool perShard)
    {
        FastLogReg.Data.SparseDataset<double> rows = ShardedObjectiveTests.SparseRows(rows: 12_000, columns: 2_000, perRow: 40, seed: 3);
        var text = new StringBuilder();
        ReadOnlySpan<long> offsets = rows.Matrix.RowOffsets.Span;
        for (int i = 0; i < rows.Rows; i++)
        {
            text.Append(rows.Labels.Span[i] == 1 ? "+1" : "-1");
            for (long k = offsets[i]; k < offsets[i + 1]; k++)
            {
                text.Append(' ').Append(rows.Matrix.ColumnIndices.Span[(int)k] + 1).Append(':').Append(rows.Matrix.Values.Span[(int)k].ToString("R", CultureInfo.InvariantCulture));
            }

            text.Append('\n');
        }

        string path = _dir.Write("train.libsvm", text.ToString());
        var options = new TrainingOptions { Solver = Solver.Lbfgs, L2 = 1e-3, Tolerance = 1e-9, MaxIterations = 300, Standardize = standardize };
        SparseLabeledData<double> data = LibSvmDataReader.ReadSparse<double>(path);
        TrainingResult local = LogisticRegression.Train(data.Data, options);

        ClusterTrainingResult sharded = await ClusterTraining.TrainAsync(_cluster.Client, path, options, new ClusterTrainingOptions { Shards = 3, PerShardSums = perShard });

        Assert.Equal(3, sharded.Shards);
        Assert.Equal(data.Labels, sharded.Labels);
        var model = (LogisticModel)local.Classifier;
        if (perShard)
        {
            // Per-shard sums group the additions differently from one machine: the reference is a local fold with the same cuts.
            ShardPlan plan = ShardPlan.Sparse(data.Data.Matrix.RowOffsets.Span, data.Data.Columns, sizeof(double), 3);
            ShardLossSums<double>[] parts = plan.Shards.Select(r => new ShardLossSums<double>(ShardedObjectiveTests.SliceRows(data.Data, r), plan, r.Index)).ToArray();
            var objective = new RegularizedObjective(new PerShardSource(parts, data.Data.Rows, fanIn: 0), options.Penalty);
            var fit = FastLogReg.Optimization.Lbfgs.Minimize(objective, new double[data.Data.Columns + 1], new FastLogReg.Optimization.SolverOptions { Tolerance = options.Tolerance, MaxIterations = options.MaxIterations }, options.LbfgsHistory);
            model = new LogisticModel(fit.Point.AsSpan(0, data.Data.Columns).ToArray(), fit.Point[data.Data.Columns]);
        }

        Assert.Equal(model.Weights.ToArray(), sharded.Model.Weights.ToArray());
        Assert.Equal(model.Bias, sharded.Model.Bias);
    }

    [Theory]
    [InlineData(Solver.Nesterov)]
    [InlineData(Solver.BacktrackingGradientDescent)]
    public async Task FirstOrderSolvers_WithAGivenRate_AreBitIdenticalToOneMachine(Solver solver)
    {
        var options = new TrainingOptions { Solver = solver, LearningRate = 2, L2 = 1e-3, Tolerance = 1e-6, MaxIterations = 60, Standardize = true };
        var local = (LogisticModel)LogisticRegression.Train(CsvDataReader.Read<double>(_csv).Data, options).Classifier;

        ClusterTrainingResult sharded = await ClusterTraining.TrainAsync(_cluster.Client, _csv, options, new ClusterTrainingOptions { Shards = 3 });

        Assert.Equal(local.Weights.ToArray(), sharded.Model.Weights.ToArray());
        Assert.Equal(local.Bias, sharded.Model.Bias);
    }

    [Fact]
    public async Task ElasticNet_ByOwlQn_IsBitIdenticalToOneMachine()
    {
        var options = new TrainingOptions { Solver = Solver.OwlQn, L2 = 1e-2, L1Ratio = 0.7, Tolerance = 1e-9, MaxIterations = 300, Standardize = true };
        var local = (LogisticModel)LogisticRegression.Train(CsvDataReader.Read<double>(_csv).Data, options).Classifier;

        ClusterTrainingResult sharded = await ClusterTraining.TrainAsync(_cluster.Client, _csv, options, new ClusterTrainingOptions { Shards = 3 });

        Assert.Contains(0.0, local.Weights.ToArray()); // the L1 part zeroes weights: not a plain L2 fit
        Assert.Equal(local.Weights.ToArray(), sharded.Model.Weights.ToArray());
        Assert.Equal(local.Bias, sharded.Model.Bias);
    }

    [Theory]
    [InlineData(MultiClass.Auto, false, false)]
    [InlineData(MultiClass.OneVsRest, true, false)]
    [InlineData(MultiClass.Auto, false, true)]
    [InlineData(MultiClass.OneVsRest, false, true, 2)] // per-shard sums through the aggregation tree
    [InlineData(MultiClass.Auto, false, false, 0, Solver.Newton)]
    [InlineData(MultiClass.Auto, true, false, 0, Solver.Newton)]
    [InlineData(MultiClass.OneVsRest, true, false, 0, Solver.Newton)]
    public async Task ThreeClasses_AreBitIdenticalToOneMachine(MultiClass kind, bool standardize, bool perShard, int fanIn = 0, Solver solver = Solver.Auto)
    {
        int shardCount = fanIn > 0 ? 5 : 3;
        string path = ThreeClassFile();
        var options = new TrainingOptions { MultiClass = kind, L2 = 1e-3, Tolerance = 1e-9, MaxIterations = 300, Standardize = standardize, ClassWeights = ClassWeights.Balanced, Solver = solver };
        LabeledData<double> data = CsvDataReader.Read<double>(path, new CsvReadOptions { MaxClasses = 10 });
        TrainingResult trained = LogisticRegression.Train(data.Data, options);
        var local = (MulticlassModel)trained.Classifier;

        ClusterTrainingResult sharded = await ClusterTraining.TrainAsync(_cluster.Client, path, options, new ClusterTrainingOptions { Shards = shardCount, MaxClasses = 10, PerShardSums = perShard, FanIn = fanIn });
        if (!perShard)
        {
            Assert.Equal(trained.Report.Iterations, sharded.Optimization.Iterations);
        }

        Assert.Equal(data.Labels, sharded.Labels);
        var model = (MulticlassModel)sharded.Classifier;
        Assert.Equal(local.Kind, model.Kind);
        if (perShard)
        {
            // Per-shard sums group the additions differently from one machine: the reference is a local fold with the same cuts.
            local = PerShardMulticlass((FastLogReg.Data.DenseDataset<double>)data.Data, shardCount, options, fanIn);
        }

        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(local.Coefficients(c).ToArray(), model.Coefficients(c).ToArray());
            Assert.Equal(local.Intercept(c), model.Intercept(c));
        }
    }

    /// <summary>
    /// The training file's rows, labelled by which third of the first feature's range they fall in; with
    /// <paramref name="scales"/>, column j multiplied by scales[j % scales.Length] (raw columns of different scales).
    /// </summary>
    private string ThreeClassFile(double[]? scales = null)
    {
        string[] lines = File.ReadAllLines(_csv);
        var text = new StringBuilder(lines[0] + "\n");
        for (int i = 1; i < lines.Length; i++)
        {
            string[] fields = lines[i].Split(',');
            double first = double.Parse(fields[0], CultureInfo.InvariantCulture);
            string label = first < -0.4 ? "low" : first < 0.4 ? "mid" : "high";
            for (int j = 0; j < fields.Length - 1; j++)
            {
                double x = double.Parse(fields[j], CultureInfo.InvariantCulture) * (scales is null ? 1 : scales[j % scales.Length]);
                text.Append(x.ToString("R", CultureInfo.InvariantCulture)).Append(',');
            }

            text.Append(label).Append('\n');
        }

        return _dir.Write(scales is null ? "three.csv" : "three-scaled.csv", text.ToString());
    }

    [Fact]
    public async Task Auto_OnIllConditionedThreeClasses_HandsOverToNewtonAsOneMachineDoes()
    {
        // Raw columns spanning 10⁻³ … 10³: Auto's L-BFGS does not converge in its 500 iterations, and trust-region
        // Newton takes over from its point — on the cluster as on one machine, bit for bit.
        string path = ThreeClassFile([1, 1e3, 1e-3, 30]);
        var options = new TrainingOptions { L2 = 1e-4, Tolerance = 1e-10, MaxIterations = 3000 };
        LabeledData<double> data = CsvDataReader.Read<double>(path, new CsvReadOptions { MaxClasses = 10 });
        TrainingResult local = LogisticRegression.Train(data.Data, options);
        Assert.Equal(Solver.Newton, local.Report.Solver);
        Assert.Equal(FastLogReg.Optimization.StopReason.Converged, local.Report.StopReason);

        ClusterTrainingResult sharded = await ClusterTraining.TrainAsync(_cluster.Client, path, options, new ClusterTrainingOptions { Shards = 3, MaxClasses = 10 });

        Assert.Equal(local.Report.Iterations, sharded.Optimization.Iterations);
        var expected = (MulticlassModel)local.Classifier;
        var model = (MulticlassModel)sharded.Classifier;
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(expected.Coefficients(c).ToArray(), model.Coefficients(c).ToArray());
            Assert.Equal(expected.Intercept(c), model.Intercept(c));
        }
    }

    [Fact]
    public async Task SoftmaxHessianVector_OnANewActivationOrAnotherPoint_TakesTheProbabilitiesAtTheSentPoint()
    {
        string path = ThreeClassFile();
        ShardJob job = await _cluster.Client.GetGrain<IShardGrain>("hv-plan/plan").Plan(path, null, 3, false, null, false, 10);
        int k = 3, d = job.Sources[0].Columns;
        double[] classWeights = [1, 1, 1];
        byte[] Bytes(int seed) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(Enumerable.Range(0, (k * d) + k).Select(i => Math.Sin((seed * 7.0) + i) * 0.3).ToArray().AsSpan()).ToArray();
        byte[] point = Bytes(1), other = Bytes(2), direction = Bytes(3);
        foreach (ShardSource source in job.Sources)
        {
            IShardGrain prepared = _cluster.Client.GetGrain<IShardGrain>($"hv-a/{source.Index}");
            IShardGrain fresh = _cluster.Client.GetGrain<IShardGrain>($"hv-b/{source.Index}");
            IShardGrain elsewhere = _cluster.Client.GetGrain<IShardGrain>($"hv-c/{source.Index}");
            await prepared.PrepareSoftmaxCurvature(source, classWeights, false, point, diagonal: true);
            await elsewhere.PrepareSoftmaxCurvature(source, classWeights, false, other, diagonal: false);
            byte[] expected = await prepared.SoftmaxHessianVector(source, classWeights, false, point, direction);

            Assert.Equal(expected, await fresh.SoftmaxHessianVector(source, classWeights, false, point, direction));
            Assert.Equal(expected, await elsewhere.SoftmaxHessianVector(source, classWeights, false, point, direction));
            Assert.NotEqual(expected, await prepared.SoftmaxHessianVector(source, classWeights, false, other, direction));
        }
    }

    /// <summary>L-BFGS over the shards' K-class sums, each shard's chunks folded first, then the shards in order (no standardization).</summary>
    private static MulticlassModel PerShardMulticlass(FastLogReg.Data.DenseDataset<double> data, int shards, TrainingOptions options, int fanIn)
    {
        int k = data.ClassCount, d = data.Columns;
        ShardPlan plan = ShardPlan.Dense(data.Rows, d, sizeof(double), shards);
        FastLogReg.Data.DenseDataset<double>[] parts = plan.Shards.Select(r => FastLogReg.Data.DenseDataset.Create(
            data.Features.Slice(r.FirstRow * d, r.Rows * d).ToArray(), data.Labels.Slice(r.FirstRow, r.Rows).ToArray(), d, k)).ToArray();
        ClassTotals totals = ShardedLossSums.MergeTotals(plan.Shards.SelectMany(r => new ShardSoftmaxSums<double>(parts[r.Index], plan, r.Index, []).ChunkTotals()));
        double[] weights = options.ClassWeights.ResolveAll(totals);
        var sums = plan.Shards.Select(r => new ShardSoftmaxSums<double>(parts[r.Index], plan, r.Index, weights, options.MultiClass == MultiClass.OneVsRest)).ToArray();
        var objective = new ShardedMultinomialObjective(new PerShardSoftmax(sums, totals.TotalWeight(weights), fanIn), options.Penalty);
        var fit = FastLogReg.Optimization.Lbfgs.Minimize(objective, new double[objective.Dimension], new FastLogReg.Optimization.SolverOptions { Tolerance = options.Tolerance, MaxIterations = options.MaxIterations }, options.LbfgsHistory);
        double[] w = new double[k * d], b = new double[k];
        objective.ToRaw(fit.Point, w, b);
        return new MulticlassModel(options.MultiClass == MultiClass.OneVsRest ? ClassificationKind.OneVsRest : ClassificationKind.Multinomial, w, b);
    }

    private sealed class PerShardSoftmax(ShardSoftmaxSums<double>[] shards, double totalWeight, int fanIn) : ISoftmaxSumsSource
    {
        private readonly SoftmaxSums[][] _chunks = shards.Select(s => Enumerable.Range(0, s.ChunkCount).Select(_ => new SoftmaxSums(s.Classes, s.Columns)).ToArray()).ToArray();
        private readonly SoftmaxSums[] _shardSums = shards.Select(s => new SoftmaxSums(s.Classes, s.Columns)).ToArray();

        public int Classes => shards[0].Classes;

        public int Columns => shards[0].Columns;

        public double TotalWeight => totalWeight;

        public void Evaluate(ReadOnlySpan<double> weights, ReadOnlySpan<double> biases, SoftmaxSums sums)
        {
            for (int s = 0; s < shards.Length; s++)
            {
                shards[s].EvaluateChunks(weights, biases, _chunks[s]);
                SoftmaxSums.Fold(_chunks[s], _shardSums[s]);
            }

            if (fanIn >= 2)
            {
                AggregationTree.Fold(_shardSums, fanIn, sums);
            }
            else
            {
                SoftmaxSums.Fold(_shardSums, sums);
            }
        }
    }

    [Fact]
    public async Task ABadValueInAShard_IsTheReadersErrorOnTheFilesLine()
    {
        string[] lines = File.ReadAllLines(_csv);
        lines[20_001] = "oops" + lines[20_001][lines[20_001].IndexOf(',')..]; // line 20,002, in the third of four shards
        string bad = _dir.Write("bad.csv", string.Join('\n', lines) + "\n");

        var error = await Assert.ThrowsAsync<DataFormatException>(() => ClusterTraining.TrainAsync(_cluster.Client, bad, new TrainingOptions(), new ClusterTrainingOptions { Shards = 4 }));

        Assert.Equal(20_002, error.Line);
        Assert.Equal(1, error.Column);
        Assert.Contains("oops", error.Message);
        var missing = await Assert.ThrowsAsync<DataFormatException>(() => ClusterTraining.TrainAsync(_cluster.Client, _dir.File("absent.csv"), new TrainingOptions()));
        Assert.Contains("cannot be read on this silo", missing.Message);
    }

    [Fact]
    public void SilosOfDifferentSimdWidths_AreRefusedNamingTheShards()
    {
        ShardReport At(string width) => new() { Simd = width, Counts = [], Weights = [] };
        Assert.Equal("Vector512", ClusterLossSums.AgreedWidth([At("Vector512"), At("Vector512")]));
        var error = Assert.Throws<InvalidOperationException>(() => ClusterLossSums.AgreedWidth([At("Vector512"), At("Vector512"), At("Vector256")]));
        Assert.Contains("shard 0 at Vector512, shard 2 at Vector256", error.Message);
        Assert.Contains("FASTLOGREG_MAX_SIMD_WIDTH", error.Message);
    }
}
