using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.Sharding;

/// <summary>
/// Sharded evaluation (issue 23's core, before any transport): shards of a <see cref="ShardPlan"/> evaluated apart and
/// folded by <see cref="ShardedLossSums"/> give the local objective bit for bit, so L-BFGS over them lands on the very
/// model LogisticRegression.Train returns — for any number of shards and any thread count on each.
/// </summary>
public sealed class ShardedObjectiveTests
{
    private const int Rows = 30_000;
    private const int Columns = 40; // 320-byte rows: chunks of 3,277 rows, so 10 chunks

    [Theory]
    [InlineData(1, false)]
    [InlineData(3, false)]
    [InlineData(7, true)]
    [InlineData(16, true)] // more shards asked than chunks: one chunk each
    public void LbfgsOverShards_IsBitIdenticalToLocalTraining(int shards, bool weighted)
    {
        DenseDataset<double> data = Data(weighted);
        var options = new TrainingOptions { Solver = Solver.Lbfgs, L2 = 1e-3, Tolerance = 1e-9, MaxIterations = 300, ClassWeights = weighted ? ClassWeights.Balanced : ClassWeights.None };
        var local = (LogisticModel)LogisticRegression.Train(data, options).Classifier;

        ShardPlan plan = ShardPlan.Dense(data.Rows, data.Columns, sizeof(double), shards);
        Assert.Equal(10, plan.ChunkCount);
        Assert.Equal(Math.Min(shards, 10), plan.Shards.Count);
        Assert.Equal(data.Rows, plan.Shards.Sum(s => s.Rows));

        // Each shard holds only its own rows (copies, as another machine would), and the class totals are merged first.
        DenseDataset<double>[] parts = plan.Shards.Select(s => Slice(data, s)).ToArray();
        ClassTotals totals = ShardedLossSums.MergeTotals(plan.Shards.SelectMany(s => new ShardLossSums<double>(parts[s.Index], plan, s.Index).ChunkTotals()));
        (double cw0, double cw1) = ShardedLossSums.ResolveClassWeights(totals, options.ClassWeights);
        IChunkSumsSource[] sources = plan.Shards.Select(s => (IChunkSumsSource)new ShardLossSums<double>(parts[s.Index], plan, s.Index, cw0, cw1, maxDegreeOfParallelism: 1 + (s.Index % 2))).ToArray();
        var source = new ShardedLossSums(sources, ShardedLossSums.TotalWeightOf(totals, cw0, cw1));
        var objective = new RegularizedObjective(source, options.Penalty, fitIntercept: true);

        OptimizationResult sharded = Lbfgs.Minimize(objective, new double[Columns + 1], new SolverOptions { Tolerance = options.Tolerance, MaxIterations = options.MaxIterations }, options.LbfgsHistory);

        Assert.Equal(local.Weights.ToArray(), sharded.Point.AsSpan(0, Columns).ToArray());
        Assert.Equal(local.Bias, sharded.Point[Columns]);
    }

    [Theory]
    [InlineData(3, false, 1.0)]
    [InlineData(7, true, 1.0)]
    [InlineData(3, false, 1e-170)] // one column of tiny values: summed in units, locally and over shards alike
    [InlineData(7, true, 1e-170)]
    [InlineData(7, true, 1e-140, 1e-30)] // weights of 1e-30: the column's weighted squares would underflow
    public void Standardization_MergedOverShards_IsTheLocalOne_AndSoIsTheModel(int shards, bool weighted, double columnScale, double weightScale = 1)
    {
        DenseDataset<double> data = Data(weighted);
        if (columnScale != 1)
        {
            double[] x = data.Features.ToArray();
            for (int i = 0; i < data.Rows; i++)
            {
                x[(i * Columns) + 2] *= columnScale;
            }

            data = DenseDataset.Create(x, data.Labels.ToArray(), Columns, data.HasSampleWeights ? [.. data.SampleWeights.ToArray().Select(w => w * weightScale)] : null);
        }

        var options = new TrainingOptions { Solver = Solver.Lbfgs, L2 = 1e-3, Tolerance = 1e-9, MaxIterations = 300, Standardize = true };
        TrainingResult local = LogisticRegression.Train(data, options);

        ShardPlan plan = ShardPlan.Dense(data.Rows, data.Columns, sizeof(double), shards);
        ShardLossSums<double>[] parts = plan.Shards.Select(s => new ShardLossSums<double>(Slice(data, s), plan, s.Index)).ToArray();
        double[] shift = parts[0].FirstRow();
        double[] largest = new double[Columns], part = new double[Columns];
        foreach (ShardLossSums<double> p in parts)
        {
            p.LargestDeviations(shift, part); // merged by maximum, as the cluster's driver does
            for (int j = 0; j < Columns; j++)
            {
                largest[j] = Math.Max(largest[j], part[j]);
            }
        }

        (double, double)[] ranges = [.. plan.Shards.Select(s => FeatureScaling.PositiveWeightRange(Slice(data, s)))];
        (double smallestWeight, double largestWeight) = FeatureScaling.MergedWeightRange((ranges.Min(r => r.Item1), ranges.Max(r => r.Item2)));
        double[] units = FeatureScaling.UnitsFor(parts.Max(p => p.MaxMagnitude), largest, smallestWeight, largestWeight) ?? [];
        Assert.Equal(columnScale != 1, units.Length > 0);
        FeatureScaling scaling = FeatureScaling.FromMoments(shift, units.Length == 0 ? null : units, parts.SelectMany(p => p.Moments(shift, units.Length == 0 ? null : units, data.Rows)).ToArray());
        Assert.Equal(local.Standardization!.Means.ToArray(), scaling.Means.ToArray());
        Assert.Equal(local.Standardization!.Scales.ToArray(), scaling.Scales.ToArray());

        ClassTotals totals = ShardedLossSums.MergeTotals(parts.SelectMany(p => p.ChunkTotals()));
        var objective = new RegularizedObjective(new ShardedLossSums(parts, ShardedLossSums.TotalWeightOf(totals, 1, 1)), options.Penalty, fitIntercept: true, scaling);
        OptimizationResult result = Lbfgs.Minimize(objective, new double[Columns + 1], new SolverOptions { Tolerance = options.Tolerance, MaxIterations = options.MaxIterations }, options.LbfgsHistory);
        double[] raw = new double[Columns];
        scaling.ToRaw(result.Point.AsSpan(0, Columns), result.Point[Columns], raw, out double bias);

        var model = (LogisticModel)local.Classifier;
        Assert.Equal(model.Weights.ToArray(), raw);
        Assert.Equal(model.Bias, bias);
    }

    [Theory]
    [InlineData(3, false)]
    [InlineData(7, true)]
    public void NewtonOverShards_IsBitIdenticalToLocalNewton(int shards, bool weighted)
    {
        DenseDataset<double> data = Data(weighted);
        var options = new TrainingOptions { Solver = Solver.Newton, L2 = 1e-3, Tolerance = 1e-10, MaxIterations = 100 };
        var local = (LogisticModel)LogisticRegression.Train(data, options).Classifier;

        ShardPlan plan = ShardPlan.Dense(data.Rows, data.Columns, sizeof(double), shards);
        ShardLossSums<double>[] parts = plan.Shards.Select(s => new ShardLossSums<double>(Slice(data, s), plan, s.Index)).ToArray();
        ClassTotals totals = ShardedLossSums.MergeTotals(parts.SelectMany(p => p.ChunkTotals()));
        var objective = new RegularizedObjective(new ShardedLossSums(parts, ShardedLossSums.TotalWeightOf(totals, 1, 1)), options.Penalty, fitIntercept: true);
        Assert.True(objective.HasHessian);

        OptimizationResult result = TrustRegionNewton.Minimize(objective, new double[Columns + 1], new SolverOptions { Tolerance = options.Tolerance, MaxIterations = options.MaxIterations });

        Assert.Equal(local.Weights.ToArray(), result.Point.AsSpan(0, Columns).ToArray());
        Assert.Equal(local.Bias, result.Point[Columns]);
    }

    [Fact]
    public void PerShardSums_AreTheChunkSumsFoldedInOrder()
    {
        DenseDataset<double> data = Data(weighted: false);
        ShardPlan plan = ShardPlan.Dense(data.Rows, data.Columns, sizeof(double), 3);
        ShardRange range = plan.Shards[1];
        var shard = new ShardLossSums<double>(Slice(data, range), plan, 1);
        double[] w = Enumerable.Range(0, Columns).Select(j => 0.01 * (j - 20)).ToArray();
        LossSums[] chunks = Enumerable.Range(0, shard.ChunkCount).Select(_ => new LossSums(Columns)).ToArray();
        shard.EvaluateChunks(w, 0.3, chunks);
        var folded = new LossSums(Columns);
        folded.CopyFrom(chunks[0]);
        foreach (LossSums c in chunks.Skip(1))
        {
            folded.Add(c);
        }

        var sums = new LossSums(Columns);
        shard.Evaluate(w, 0.3, sums);
        Assert.Equal(folded.Loss, sums.Loss);
        Assert.Equal(folded.Residual, sums.Residual);
        Assert.Equal(folded.Gradient, sums.Gradient);
        Assert.True(sums.Loss > 0);
    }

    [Fact]
    public void RowsThatDoNotMatchTheirShard_AreRefused()
    {
        DenseDataset<double> data = Data(weighted: false);
        ShardPlan plan = ShardPlan.Dense(data.Rows, data.Columns, sizeof(double), 3);
        var error = Assert.Throws<ArgumentException>(() => new ShardLossSums<double>(Slice(data, plan.Shards[0]), plan, 1));
        Assert.Contains("Shard 1 of the plan", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ShardPlan.Dense(100, 4, 2, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShardLossSums<double>(data, ShardPlan.Dense(data.Rows, data.Columns, 8, 1), 1));
    }

    private static DenseDataset<double> Data(bool weighted)
    {
        (double[] x, double[] y) = SyntheticData.Generate(Rows, Columns, seed: 23);
        double[]? s = weighted ? Enumerable.Range(0, Rows).Select(i => 0.5 + (i % 7 * 0.25)).ToArray() : null;
        return DenseDataset.Create(x, y, Columns, s);
    }

    private static DenseDataset<double> Slice(DenseDataset<double> data, ShardRange range)
    {
        double[] x = data.Features.Slice(range.FirstRow * data.Columns, range.Rows * data.Columns).ToArray();
        double[] y = data.Labels.Slice(range.FirstRow, range.Rows).ToArray();
        double[]? s = data.HasSampleWeights ? data.SampleWeights.Slice(range.FirstRow, range.Rows).ToArray() : null;
        return DenseDataset.Create(x, y, data.Columns, s);
    }

    [Fact]
    public void TheAggregationTree_HasAFixedShape_AndFoldsInIt()
    {
        Assert.Equal([(0, 4)], AggregationTree.Groups(0, 4, 4));
        Assert.Equal([(0, 3), (3, 2)], AggregationTree.Groups(0, 5, 2));
        Assert.Equal([(10, 3), (13, 3), (16, 2)], AggregationTree.Groups(10, 8, 3));

        // Values whose sum depends on the grouping: the tree of fan-in 2 over 5 shards is ((s0 + s1) + s2) + (s3 + s4).
        double[] values = [1e16, 1e16, 1e16, 3, -1];
        LossSums[] shards = values.Select(v => new LossSums(1) { Loss = v, Residual = v, Gradient = { [0] = v } }).ToArray();
        var tree = new LossSums(1);
        AggregationTree.Fold(shards, 2, tree);
        Assert.Equal(3e16 + (3.0 - 1), tree.Loss); // the flat fold rounds (3e16 + 3) − 1 up to 3.0000000000000004e16
        Assert.Equal(tree.Loss, tree.Gradient[0]);

        var flat = new LossSums(1);
        AggregationTree.Fold(shards, 5, flat); // fan-in ≥ shards: the flat fold
        var expected = new LossSums(1);
        ShardedLossSums.Fold(shards, expected);
        Assert.Equal(expected.Loss, flat.Loss);
        Assert.NotEqual(flat.Loss, tree.Loss); // the shape matters, so it must be fixed
        Assert.Throws<ArgumentOutOfRangeException>(() => AggregationTree.Groups(0, 3, 1));
    }

    [Theory]
    [InlineData(1, 2_000)]
    [InlineData(4, 2_000)]
    public void SparseShards_CutByNonZeros_AreBitIdenticalToLocalTraining(int shards, int columns)
    {
        SparseDataset<double> data = SparseRows(rows: 24_000, columns: columns, perRow: 40, seed: 11);
        var options = new TrainingOptions { Solver = Solver.Lbfgs, L2 = 1e-3, Tolerance = 1e-9, MaxIterations = 300, ClassWeights = ClassWeights.Balanced };
        var local = (LogisticModel)LogisticRegression.Train(data, options).Classifier;

        ShardPlan plan = ShardPlan.Sparse(data.Matrix.RowOffsets.Span, data.Columns, sizeof(double), shards);
        Assert.True(plan.IsSparse);
        Assert.True(plan.ChunkCount >= 8, $"{plan.ChunkCount} chunks");
        Assert.Equal(plan.ChunkStarts, ShardPlan.FromChunkStarts(plan.ChunkStarts, data.Columns, sizeof(double), shards).ChunkStarts);
        SparseDataset<double>[] parts = plan.Shards.Select(s => SliceRows(data, s)).ToArray();
        ClassTotals totals = ShardedLossSums.MergeTotals(plan.Shards.SelectMany(s => new ShardLossSums<double>(parts[s.Index], plan, s.Index).ChunkTotals()));
        (double cw0, double cw1) = ShardedLossSums.ResolveClassWeights(totals, options.ClassWeights);
        IChunkSumsSource[] sources = plan.Shards.Select(s => (IChunkSumsSource)new ShardLossSums<double>(parts[s.Index], plan, s.Index, cw0, cw1, maxDegreeOfParallelism: 1 + (s.Index % 2))).ToArray();
        var objective = new RegularizedObjective(new ShardedLossSums(sources, ShardedLossSums.TotalWeightOf(totals, cw0, cw1)), options.Penalty, fitIntercept: true);

        OptimizationResult sharded = Lbfgs.Minimize(objective, new double[data.Columns + 1], new SolverOptions { Tolerance = options.Tolerance, MaxIterations = options.MaxIterations }, options.LbfgsHistory);

        Assert.Equal(local.Weights.ToArray(), sharded.Point.AsSpan(0, data.Columns).ToArray());
        Assert.Equal(local.Bias, sharded.Point[data.Columns]);
        Assert.Throws<ArgumentException>(() => new ShardLossSums<double>(Data(false), plan, 0)); // dense rows, sparse plan
    }

    [Fact]
    public void NewtonOverSparseShards_IsBitIdenticalToLocalNewton()
    {
        // A review's case: the sharded source said nothing of its rows being sparse, so its Newton preconditioned with the
        // diagonal where the local fit (sparse rows) used LIBLINEAR's mix — 9 iterations against 8, weights 5·10⁻⁹ apart.
        SparseDataset<double> data = SparseRows(rows: 24_000, columns: 2_000, perRow: 40, seed: 11);
        var options = new TrainingOptions { Solver = Solver.Newton, L2 = 1e-3, Tolerance = 1e-10, MaxIterations = 100 };
        var local = (LogisticModel)LogisticRegression.Train(data, options).Classifier;

        ShardPlan plan = ShardPlan.Sparse(data.Matrix.RowOffsets.Span, data.Columns, sizeof(double), 3);
        SparseDataset<double>[] parts = plan.Shards.Select(s => SliceRows(data, s)).ToArray();
        ShardLossSums<double>[] sources = plan.Shards.Select(s => new ShardLossSums<double>(parts[s.Index], plan, s.Index)).ToArray();
        ClassTotals totals = ShardedLossSums.MergeTotals(sources.SelectMany(p => p.ChunkTotals()));
        var sums = new ShardedLossSums(sources, ShardedLossSums.TotalWeightOf(totals, 1, 1));
        Assert.True(((ICurvatureSource)sums).SparseRows);
        var objective = new RegularizedObjective(sums, options.Penalty, fitIntercept: true);

        OptimizationResult sharded = TrustRegionNewton.Minimize(objective, new double[data.Columns + 1], new SolverOptions { Tolerance = options.Tolerance, MaxIterations = options.MaxIterations });

        Assert.Equal(local.Weights.ToArray(), sharded.Point.AsSpan(0, data.Columns).ToArray());
        Assert.Equal(local.Bias, sharded.Point[data.Columns]);
    }

    /// <summary>Rows of <paramref name="perRow"/> random distinct columns each, values N(0, 1)-ish, labels from a random direction.</summary>
    internal static SparseDataset<double> SparseRows(int rows, int columns, int perRow, int seed)
    {
        var rng = new Random(seed);
        double[] w = Enumerable.Range(0, columns).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var values = new double[rows * perRow];
        var indices = new int[rows * perRow];
        long[] offsets = new long[rows + 1];
        double[] y = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            int[] picked = Enumerable.Range(0, perRow).Select(_ => rng.Next(columns)).Distinct().Order().ToArray();
            int at = (int)offsets[i];
            double z = 0;
            foreach (int j in picked)
            {
                double v = (rng.NextDouble() * 2) - 1;
                (values[at], indices[at]) = (v, j);
                z += v * w[j];
                at++;
            }

            offsets[i + 1] = at;
            y[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-4 * z)) ? 1 : 0;
        }

        long nonZeros = offsets[rows];
        return SparseDataset.Create(CsrMatrix.Create<double>(values.AsMemory(0, (int)nonZeros), indices.AsMemory(0, (int)nonZeros), offsets, columns), y);
    }

    internal static SparseDataset<double> SliceRows(SparseDataset<double> data, ShardRange s)
    {
        ReadOnlySpan<long> offsets = data.Matrix.RowOffsets.Span;
        long first = offsets[s.FirstRow], end = offsets[s.FirstRow + s.Rows];
        long[] local = new long[s.Rows + 1];
        for (int i = 0; i <= s.Rows; i++)
        {
            local[i] = offsets[s.FirstRow + i] - first;
        }

        double[] values = data.Matrix.Values.Slice((int)first, (int)(end - first)).ToArray();
        int[] indices = data.Matrix.ColumnIndices.Slice((int)first, (int)(end - first)).ToArray();
        return SparseDataset.Create(CsrMatrix.Create<double>(values, indices, local, data.Columns), data.Labels.Slice(s.FirstRow, s.Rows).ToArray());
    }

    [Theory]
    [InlineData(1, MultiClass.Multinomial, false)]
    [InlineData(3, MultiClass.Multinomial, true)]
    [InlineData(4, MultiClass.OneVsRest, true)]
    [InlineData(1, MultiClass.Multinomial, false, Solver.Newton)]
    [InlineData(3, MultiClass.Multinomial, true, Solver.Newton)]
    [InlineData(4, MultiClass.OneVsRest, true, Solver.Newton)]
    [InlineData(3, MultiClass.Multinomial, false, Solver.Newton, 0.0)] // no penalty: the weights' shift is centered too
    public void MulticlassShards_AreBitIdenticalToLocalTraining(int shards, MultiClass kind, bool standardizedAndBalanced, Solver solver = Solver.Lbfgs, double l2 = 1e-3)
    {
        DenseDataset<double> data = FourClasses();
        var options = new TrainingOptions
        {
            MultiClass = kind, L2 = l2, Tolerance = 1e-9, MaxIterations = 300, Solver = solver,
            Standardize = standardizedAndBalanced, ClassWeights = standardizedAndBalanced ? ClassWeights.Balanced : ClassWeights.None,
        };
        TrainingResult local = LogisticRegression.Train(data, options);

        ShardPlan plan = ShardPlan.Dense(data.Rows, data.Columns, sizeof(double), shards);
        DenseDataset<double>[] parts = plan.Shards.Select(s => Slice(data, s, classes: 4)).ToArray();
        ClassTotals totals = ShardedLossSums.MergeTotals(plan.Shards.SelectMany(s => new ShardSoftmaxSums<double>(parts[s.Index], plan, s.Index, []).ChunkTotals()));
        double[] classWeights = options.ClassWeights.ResolveAll(totals);
        FeatureScaling? scaling = null;
        if (standardizedAndBalanced)
        {
            ShardLossSums<double>[] binary = plan.Shards.Select(s => new ShardLossSums<double>(Slice(data, s, classes: 2, binaryLabels: true), plan, s.Index)).ToArray();
            double[] shift = binary[0].FirstRow();
            scaling = FeatureScaling.FromMoments(shift, null, binary.SelectMany(p => p.Moments(shift, null, data.Rows)).ToArray());
        }

        var shardSums = plan.Shards.Select(s => new ShardSoftmaxSums<double>(parts[s.Index], plan, s.Index, classWeights, kind == MultiClass.OneVsRest, maxDegreeOfParallelism: 1 + (s.Index % 2))).ToArray();
        var objective = new ShardedMultinomialObjective(new ShardedSoftmaxSums<double>(shardSums, totals.TotalWeight(classWeights)), options.Penalty, fitIntercept: true, scaling);
        var solverOptions = new SolverOptions { Tolerance = options.Tolerance, MaxIterations = options.MaxIterations };
        OptimizationResult result = solver == Solver.Newton
            ? TrustRegionNewton.Minimize(objective, new double[objective.Dimension], solverOptions)
            : Lbfgs.Minimize(objective, new double[objective.Dimension], solverOptions, options.LbfgsHistory);
        if (solver == Solver.Newton && kind == MultiClass.Multinomial)
        {
            LogisticRegression.CenterShiftDirection(result.Point, 4, Columns, fitIntercept: true, unpenalized: l2 == 0);
        }

        Assert.Equal(local.Report.Iterations, result.Iterations);
        double[] weights = new double[4 * Columns], biases = new double[4];
        objective.ToRaw(result.Point, weights, biases);

        var model = (MulticlassModel)local.Classifier;
        for (int c = 0; c < 4; c++)
        {
            Assert.Equal(model.Coefficients(c).ToArray(), weights.AsSpan(c * Columns, Columns).ToArray());
            Assert.Equal(model.Intercept(c), biases[c]);
        }
    }

    /// <summary>Data(false)'s rows with four classes: the argmax of four fixed linear scores.</summary>
    private static DenseDataset<double> FourClasses()
    {
        DenseDataset<double> rows = Data(false);
        double[] x = rows.Features.ToArray();
        double[] y = new double[Rows];
        for (int i = 0; i < Rows; i++)
        {
            double best = double.NegativeInfinity;
            for (int c = 0; c < 4; c++)
            {
                double z = 0;
                for (int j = c; j < Columns; j += 4)
                {
                    z += x[(i * Columns) + j] * (1 + (j % 3));
                }

                if (z > best)
                {
                    (best, y[i]) = (z, c);
                }
            }
        }

        return DenseDataset.Create(x, y, Columns, 4);
    }

    private static DenseDataset<double> Slice(DenseDataset<double> data, ShardRange range, int classes, bool binaryLabels = false)
    {
        double[] x = data.Features.Slice(range.FirstRow * data.Columns, range.Rows * data.Columns).ToArray();
        double[] y = data.Labels.Slice(range.FirstRow, range.Rows).ToArray().Select(v => binaryLabels ? v % 2 : v).ToArray();
        return classes == 2 ? DenseDataset.Create(x, y, data.Columns) : DenseDataset.Create(x, y, data.Columns, classes);
    }
}
