using System.Globalization;
using System.Numerics;
using System.Reflection;
using System.Text;
using FastLogReg.Data;
using FastLogReg.IO;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Orleans;
using FastLogReg.Training;
using Orleans;
using Orleans.TestingHost;
using Xunit;

namespace FastLogReg.Tests.Hostile;

/// <summary>
/// Hostile review (2026-12-06) of commit 1f8a1f1: K-class trust-region Newton over shards (ShardSoftmaxSums /
/// ShardedSoftmaxSums / ShardedMultinomialObjective as ISoftmaxCurvatureSource, SoftmaxCurvature shared with the local
/// MultinomialObjective) must give the local fit's iterations and coefficients bit for bit. In-process shards here; the
/// few cases that need a real two-silo cluster are in <see cref="ShardedNewtonHostileClusterTests"/>. Three failed and
/// were mended: two objectives over one in-process source (the Hessian-vector call now carries the prepared point, and
/// rows holding another prepare again), IsPreparedAt on the same numbers split at another place, and the cluster's
/// refusal of Newton with an L1 share blaming columns.
/// </summary>
public sealed class ShardedNewtonHostileTests
{
    // ---------------------------------------------------------------- 1. the objective: value, gradient, diagonal, preconditioner, Hv — bit for bit

    public static TheoryData<string, int, int, int, int, bool, bool, bool, bool, string> ObjectiveCases() => new()
    {
        // layout, K, rows, d, shards, oneVsRest, intercept, standardize, sampleWeights, classWeights
        { "dense-double", 2, 9_000, 24, 3, false, true, false, false, "none" },        // K = 2 multinomial
        { "dense-double", 3, 12_000, 24, 1, false, true, false, false, "none" },       // one shard
        { "dense-double", 3, 12_000, 24, 64, false, true, true, true, "balanced" },    // as many shards as chunks
        { "dense-double", 5, 12_000, 24, 2, true, true, true, true, "balanced" },      // one-vs-rest
        { "dense-double", 7, 12_000, 17, 3, false, false, true, true, "balanced" },    // no intercept, standardized (raw intercepts ≠ 0)
        { "dense-double", 12, 12_000, 9, 4, false, true, false, true, "given" },       // K = 12, given class weights
        { "dense-double", 4, 700, 5, 1, false, true, true, false, "none" },            // one small chunk, cut in parts
        { "dense-double", 4, 12_000, 24, 3, false, true, false, true, "sorted" },       // labels sorted: shards lack classes
        { "dense-float", 3, 12_000, 24, 2, false, true, false, false, "none" },
        { "dense-float", 6, 12_000, 33, 3, true, false, true, true, "balanced" },
        { "dense-float", 2, 12_000, 16, 2, false, true, true, true, "balanced" },
        { "sparse-double", 3, 20_000, 500, 3, false, true, false, false, "none" },
        { "sparse-double", 5, 20_000, 300, 4, true, true, false, true, "balanced" },
        { "sparse-double", 4, 20_000, 300, 2, false, false, true, true, "sorted" },
        { "sparse-float", 3, 20_000, 500, 3, false, true, false, true, "balanced" },
        { "sparse-float", 8, 20_000, 200, 99, true, true, false, false, "none" },     // a shard per chunk
        { "scaled-double", 4, 12_000, 12, 3, false, true, false, true, "balanced" },  // columns of 1e-100 … 1e100, raw
        { "scaled-double", 4, 12_000, 12, 3, false, true, true, true, "balanced" },   // the same, standardized
        { "dense-double", 130, 3_000, 3, 2, false, true, false, true, "none" },       // K > 128: a row's softmax on the heap
    };

    [Theory]
    [MemberData(nameof(ObjectiveCases))]
    public void ShardedCurvature_IsTheLocalObjectivesBits(string layout, int k, int rows, int d, int shards, bool oneVsRest, bool fitIntercept, bool standardize, bool weighted, string classWeights)
    {
        if (layout.EndsWith("float", StringComparison.Ordinal))
        {
            CheckCurvature(Make<float>(layout, k, rows, d, weighted, classWeights == "sorted"), shards, oneVsRest, fitIntercept, standardize, Weights(classWeights, k));
        }
        else
        {
            CheckCurvature(Make<double>(layout, k, rows, d, weighted, classWeights == "sorted"), shards, oneVsRest, fitIntercept, standardize, Weights(classWeights, k));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ElasticNetPenalty_ShardedCurvature_IsTheLocalObjectivesBits(bool oneVsRest) =>
        CheckCurvature(Make<double>("dense-double", 4, 12_000, 24, weighted: true, sorted: false), 3, oneVsRest, true, true, ClassWeights.Balanced, Penalty.ElasticNet(1e-2, 0.5));

    [Fact]
    public void NewtonWithAnL1Share_IsRefusedLocally_ForKClasses()
    {
        Dataset<double> data = Make<double>("dense-double", 3, 2_000, 6, weighted: false, sorted: false);
        var error = Assert.Throws<ArgumentException>(() => LogisticRegression.Train(data, new TrainingOptions { Solver = Solver.Newton, Lambda = 1e-2, L1Ratio = 0.5 }));
        Assert.Contains("needs a smooth penalty", error.Message);
    }

    private static void CheckCurvature<T>(Dataset<T> data, int shards, bool oneVsRest, bool fitIntercept, bool standardize, ClassWeights classWeights, Penalty? penaltyOrNull = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        FeatureScaling? scaling = standardize ? FeatureScaling.Compute(data) : null;
        Penalty penalty = penaltyOrNull ?? Penalty.L2(1e-3);
        var local = new MultinomialObjective<T>(data, penalty, oneVsRest, fitIntercept, maxDegreeOfParallelism: 2, scaling, classWeights);
        ShardedMultinomialObjective sharded = Sharded(data, shards, oneVsRest, fitIntercept, penalty, classWeights, scaling, [1, 3, null]);
        Assert.Equal(local.Dimension, sharded.Dimension);
        int n = local.Dimension;
        double[] x1 = Vector(n, 1, 0.3), x2 = Vector(n, 2, 0.5), u = Vector(n, 3, 1.0), v = Vector(n, 4, 0.01);

        // At x1: value, gradient, diagonal, preconditioner, two products.
        double[] first = Trace(local, x1, u, v, diagonalFirst: true), second = Trace(sharded, x1, u, v, diagonalFirst: true);
        AssertBits(first, second, "at x1 (diagonal first)");

        // At x2 with the products before the diagonal (the source prepared for probabilities only, then for the diagonal).
        AssertBits(Trace(local, x2, u, v, diagonalFirst: false), Trace(sharded, x2, u, v, diagonalFirst: false), "at x2 (products first)");

        // Back at x1: no stale probabilities, the same bits as the first time.
        double[] again = Trace(sharded, x1, u, v, diagonalFirst: false);
        AssertBits(Trace(local, x1, u, v, diagonalFirst: false), again, "back at x1");
    }

    /// <summary>f, ∇f, then the diagonal / preconditioner and Hu, Hv (in either order), as one vector.</summary>
    private static double[] Trace(ITwiceDifferentiableFunction f, double[] x, double[] u, double[] v, bool diagonalFirst)
    {
        int n = f.Dimension;
        double[] g = new double[n], diag = new double[n], pre = new double[n], hu = new double[n], hv = new double[n];
        double value = f.Evaluate(x, g);
        if (diagonalFirst)
        {
            Assert.True(f.TryGetHessianDiagonal(diag));
            Assert.True(f.TryGetPreconditioner(pre));
        }

        f.HessianVector(u, hu);
        f.HessianVector(v, hv);
        if (!diagonalFirst)
        {
            Assert.True(f.TryGetPreconditioner(pre));
            Assert.True(f.TryGetHessianDiagonal(diag));
        }

        return [value, .. g, .. diag, .. pre, .. hu, .. hv];
    }

    // ---------------------------------------------------------------- 2. whole trust-region Newton fits against LogisticRegression.Train

    public static TheoryData<string, int, MultiClass, double, bool, bool, bool, string, int> TrainingCases() => new()
    {
        // layout, K, kind, L2, intercept, standardize, sampleWeights, classWeights, shards
        { "dense-double", 2, MultiClass.Multinomial, 1e-3, true, false, false, "none", 3 },
        { "dense-double", 2, MultiClass.OneVsRest, 1e-3, true, true, true, "balanced", 2 },
        { "dense-double", 12, MultiClass.Multinomial, 1e-4, true, false, true, "balanced", 5 },
        { "dense-double", 5, MultiClass.Multinomial, 1e-3, false, true, true, "balanced", 3 },
        { "dense-double", 4, MultiClass.Multinomial, 1e-3, true, false, true, "sorted", 3 },
        { "dense-double", 4, MultiClass.Multinomial, 0.0, true, false, false, "none", 64 },   // unpenalized: both shifts centred
        { "dense-double", 4, MultiClass.Multinomial, 0.0, false, false, false, "none", 2 },
        { "dense-float", 6, MultiClass.Multinomial, 1e-3, true, true, true, "balanced", 3 },
        { "dense-float", 3, MultiClass.OneVsRest, 1e-3, false, false, false, "none", 2 },
        { "sparse-double", 5, MultiClass.Multinomial, 1e-3, true, false, true, "balanced", 3 },
        { "sparse-float", 4, MultiClass.Multinomial, 1e-3, true, false, false, "none", 2 },
        { "sparse-double", 3, MultiClass.OneVsRest, 1e-3, true, true, false, "none", 4 },
        { "scaled-double", 4, MultiClass.Multinomial, 1e-3, true, false, true, "balanced", 3 },
        { "dense-double", 4, MultiClass.Multinomial, 1e-3, true, false, false, "single-chunk", 1 },
    };

    [Theory]
    [MemberData(nameof(TrainingCases))]
    public void ShardedNewtonFit_IsLogisticRegressionTrainsModel(string layout, int k, MultiClass kind, double l2, bool fitIntercept, bool standardize, bool weighted, string classWeights, int shards)
    {
        int rows = classWeights == "single-chunk" ? 900 : layout.StartsWith("sparse", StringComparison.Ordinal) ? 20_000 : 12_000;
        int d = layout.StartsWith("sparse", StringComparison.Ordinal) ? 300 : layout.StartsWith("scaled", StringComparison.Ordinal) ? 12 : 20;
        var options = new TrainingOptions
        {
            Solver = Solver.Newton, MultiClass = kind, L2 = l2, FitIntercept = fitIntercept, Standardize = standardize,
            ClassWeights = Weights(classWeights, k), Tolerance = 1e-10, MaxIterations = 200,
        };
        if (layout.EndsWith("float", StringComparison.Ordinal))
        {
            AssertFitBitIdentical(Make<float>(layout, k, rows, d, weighted, classWeights == "sorted"), options, shards, [1, 3]);
        }
        else
        {
            AssertFitBitIdentical(Make<double>(layout, k, rows, d, weighted, classWeights == "sorted"), options, shards, [1, 3]);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void ShardedNewtonFit_IsTheLocalFit_ForAnyLocalThreadCount(int threads)
    {
        DenseDataset<double> data = Make<double>("dense-double", 5, 12_000, 20, weighted: true, sorted: false) as DenseDataset<double> ?? throw new InvalidOperationException();
        var options = new TrainingOptions { Solver = Solver.Newton, L2 = 1e-3, Tolerance = 1e-10, MaxIterations = 200, MaxDegreeOfParallelism = threads, ClassWeights = ClassWeights.Balanced };
        AssertFitBitIdentical(data, options, shards: 4, [null, 1]);
    }

    private static (TrainingResult Local, OptimizationResult Sharded) AssertFitBitIdentical<T>(Dataset<T> data, TrainingOptions options, int shards, int?[] threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = data.ClassCount, d = data.Columns;
        bool oneVsRest = options.MultiClass == MultiClass.OneVsRest;
        TrainingResult local = LogisticRegression.Train(data, options);
        Assert.Equal(Solver.Newton, local.Report.Solver);
        ShardedMultinomialObjective objective = Sharded(data, shards, oneVsRest, options.FitIntercept, options.Penalty, options.ClassWeights, local.Standardization, threads);
        OptimizationResult result = TrustRegionNewton.Minimize(objective, new double[objective.Dimension], new SolverOptions { Tolerance = options.Tolerance, MaxIterations = options.MaxIterations });
        if (!oneVsRest)
        {
            LogisticRegression.CenterShiftDirection(result.Point, k, d, options.FitIntercept, options.Penalty.CurvatureBound == 0 && options.Penalty.L1Strength == 0);
        }

        Assert.Equal(local.Report.Iterations, result.Iterations);
        double[] weights = new double[k * d], biases = new double[k];
        objective.ToRaw(result.Point, weights, biases);
        var model = (MulticlassModel)local.Classifier;
        for (int c = 0; c < k; c++)
        {
            Assert.Equal(model.Coefficients(c).ToArray(), weights.AsSpan(c * d, d).ToArray());
            Assert.Equal(model.Intercept(c), biases[c]);
        }

        return (local, result);
    }

    // ---------------------------------------------------------------- 3. the solver's whole call sequence, rejected steps included

    [Theory]
    [InlineData("separable-double", false, 0.0, 0.0)]
    [InlineData("dense-double", true, 0.0, 30.0)]   // far from the optimum: the model overshoots, steps are rejected
    [InlineData("dense-double", false, 1e-6, 30.0)]
    [InlineData("separable-double", true, 1e-6, 3.0)]
    public void TrustRegionNewton_CallByCall_IncludingRejectedTrialPoints_IsTheLocalSequence(string layout, bool oneVsRest, double l2, double start)
    {
        // Rejected trial points: the iterate is evaluated again after each rejection and the next CG runs at it — the
        // sharded source must be prepared there, not at the rejected point.
        Dataset<double> data = Make<double>(layout, 4, 6_000, 10, weighted: true, sorted: false);
        Penalty penalty = Penalty.L2(l2);
        var local = new Recorder(new MultinomialObjective<double>(data, penalty, oneVsRest, true, 2, null, ClassWeights.Balanced));
        var sharded = new Recorder(Sharded(data, 3, oneVsRest, true, penalty, ClassWeights.Balanced, null, [1, 2]));
        double[] x0 = Enumerable.Range(0, local.Dimension).Select(i => Math.Sin(i * 1.7) * start).ToArray();
        var options = new SolverOptions { Tolerance = 1e-12, MaxIterations = 60 };

        OptimizationResult a = TrustRegionNewton.Minimize(local, x0, options);
        OptimizationResult b = TrustRegionNewton.Minimize(sharded, x0, options);

        Assert.True(local.Rejections > 0, $"no rejected step in {local.Log.Count} calls ({a.Iterations} iterations, {a.StopReason}): the case lost its teeth");
        Assert.Equal(local.Log.Count, sharded.Log.Count);
        for (int i = 0; i < local.Log.Count; i++)
        {
            Assert.True(local.Log[i].Call == sharded.Log[i].Call, $"call {i}: {local.Log[i].Call} against {sharded.Log[i].Call}");
            AssertBits(local.Log[i].Values, sharded.Log[i].Values, $"call {i} ({local.Log[i].Call})");
        }

        Assert.Equal(a.Point, b.Point);
        Assert.Equal(a.Iterations, b.Iterations);
    }

    // ---------------------------------------------------------------- 4. the local objective: any thread count

    [Theory]
    [InlineData("dense-double", 5, false)]
    [InlineData("dense-double", 3, true)]
    [InlineData("sparse-double", 4, false)]
    [InlineData("dense-float", 7, false)]
    public void LocalCurvature_IsBitIdentical_ForOneTwoThreeAndEightThreads(string layout, int k, bool oneVsRest)
    {
        if (layout.EndsWith("float", StringComparison.Ordinal))
        {
            ThreadInvariance(Make<float>(layout, k, 12_000, 24, weighted: true, sorted: false), oneVsRest);
        }
        else
        {
            ThreadInvariance(Make<double>(layout, k, layout.StartsWith("sparse", StringComparison.Ordinal) ? 20_000 : 12_000, layout.StartsWith("sparse", StringComparison.Ordinal) ? 300 : 24, weighted: true, sorted: false), oneVsRest);
        }
    }

    private static void ThreadInvariance<T>(Dataset<T> data, bool oneVsRest)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        FeatureScaling scaling = FeatureScaling.Compute(data);
        double[]? reference = null;
        foreach (int threads in new[] { 1, 2, 3, 8 })
        {
            var objective = new MultinomialObjective<T>(data, Penalty.L2(1e-3), oneVsRest, true, threads, scaling, ClassWeights.Balanced);
            int n = objective.Dimension;
            double[] trace = Trace(objective, Vector(n, 5, 0.4), Vector(n, 6, 1), Vector(n, 7, 1e-3), diagonalFirst: threads % 2 == 0);
            if (reference is null)
            {
                reference = trace;
            }
            else
            {
                AssertBits(reference, trace, $"{threads} threads against 1");
            }
        }
    }

    // ---------------------------------------------------------------- 5. the sharded curvature is the curvature

    [Theory]
    [InlineData(false, true, true)]
    [InlineData(true, true, false)]
    [InlineData(false, false, true)]
    public void ShardedHessianVector_IsTheWholeHessianTimesTheVector_AndTheDiagonalItsDiagonal(bool oneVsRest, bool fitIntercept, bool standardize)
    {
        Dataset<double> data = Make<double>("dense-double", 4, 3_000, 7, weighted: true, sorted: false);
        FeatureScaling? scaling = standardize ? FeatureScaling.Compute(data) : null;
        Penalty penalty = Penalty.L2(1e-2);
        var local = new MultinomialObjective<double>(data, penalty, oneVsRest, fitIntercept, 1, scaling, ClassWeights.Balanced);
        ShardedMultinomialObjective sharded = Sharded(data, 3, oneVsRest, fitIntercept, penalty, ClassWeights.Balanced, scaling, [1]);
        int n = local.Dimension;
        double[] x = Vector(n, 11, 0.4), g = new double[n], h = new double[n * n], diag = new double[n];
        local.Evaluate(x, g);
        Assert.True(local.TryGetHessian(h));
        sharded.Evaluate(x, g);
        Assert.True(sharded.TryGetHessianDiagonal(diag));
        double scale = h.Max(Math.Abs);
        for (int i = 0; i < n; i++)
        {
            Assert.True(Math.Abs(diag[i] - h[(i * n) + i]) <= 1e-12 * scale, $"diagonal {i}: {diag[i]:R} against the matrix's {h[(i * n) + i]:R}");
        }

        for (int seed = 0; seed < 4; seed++)
        {
            double[] v = Vector(n, 20 + seed, 1), hv = new double[n];
            sharded.HessianVector(v, hv);
            for (int i = 0; i < n; i++)
            {
                double expected = 0, size = 0;
                for (int j = 0; j < n; j++)
                {
                    expected += h[(i * n) + j] * v[j];
                    size += Math.Abs(h[(i * n) + j] * v[j]);
                }

                Assert.True(Math.Abs(hv[i] - expected) <= (1e-12 * size) + 1e-300, $"seed {seed}, entry {i}: {hv[i]:R} against H·v {expected:R}");
            }
        }
    }

    [Theory]
    [InlineData("dense-double", false, false)]
    [InlineData("sparse-double", true, true)]
    [InlineData("dense-float", false, true)]
    public void ShardedHessianVector_MatchesFiniteDifferencesOfTheShardedGradient_AndIsSymmetric(string layout, bool oneVsRest, bool standardize)
    {
        if (layout.EndsWith("float", StringComparison.Ordinal))
        {
            FiniteDifferences(Make<float>(layout, 5, 12_000, 20, weighted: true, sorted: false), oneVsRest, standardize);
        }
        else
        {
            FiniteDifferences(Make<double>(layout, 5, layout.StartsWith("sparse", StringComparison.Ordinal) ? 20_000 : 12_000, layout.StartsWith("sparse", StringComparison.Ordinal) ? 300 : 20, weighted: true, sorted: false), oneVsRest, standardize);
        }
    }

    private static void FiniteDifferences<T>(Dataset<T> data, bool oneVsRest, bool standardize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        FeatureScaling? scaling = standardize ? FeatureScaling.Compute(data) : null;
        ShardedMultinomialObjective f = Sharded(data, 3, oneVsRest, true, Penalty.L2(1e-3), ClassWeights.Balanced, scaling, [2]);
        int n = f.Dimension;
        double[] x = Vector(n, 31, 0.2), u = Vector(n, 32, 1), w = Vector(n, 33, 1);
        double[] g = new double[n], hu = new double[n], hw = new double[n], plus = new double[n], minus = new double[n];
        const double Eps = 1e-5;
        f.Evaluate(Add(x, u, Eps), plus);
        f.Evaluate(Add(x, u, -Eps), minus);
        f.Evaluate(x, g);
        f.HessianVector(u, hu);
        f.HessianVector(w, hw);
        double norm = Math.Sqrt(hu.Sum(a => a * a)), error = 0;
        for (int i = 0; i < n; i++)
        {
            double fd = (plus[i] - minus[i]) / (2 * Eps);
            error = Math.Max(error, Math.Abs(fd - hu[i]));
        }

        Assert.True(error <= 1e-6 * norm, $"‖Hu − finite differences‖∞ = {error:G3}, ‖Hu‖ = {norm:G3}");
        double uHw = Dot(u, hw), wHu = Dot(w, hu);
        Assert.True(Math.Abs(uHw - wHu) <= 1e-11 * Math.Abs(uHw), $"uᵀHw = {uHw:R}, wᵀHu = {wHu:R}");
    }

    // ---------------------------------------------------------------- 6. misuse: clear errors, no stale state

    [Fact]
    public void HessianBeforeAnyEvaluation_IsAClearError_AndTheDiagonalIsDeclined()
    {
        Dataset<double> data = Make<double>("dense-double", 3, 2_000, 6, weighted: false, sorted: false);
        ShardedMultinomialObjective f = Sharded(data, 2, false, true, Penalty.L2(1e-3), ClassWeights.None, null, [1]);
        int n = f.Dimension;
        var error = Assert.Throws<InvalidOperationException>(() => f.HessianVector(new double[n], new double[n]));
        Assert.Contains("call Evaluate first", error.Message);
        Assert.False(f.TryGetHessianDiagonal(new double[n]));
        Assert.False(f.TryGetPreconditioner(new double[n]));
        f.Evaluate(new double[n], new double[n]);
        Assert.Throws<ArgumentException>(() => f.HessianVector(new double[n - 1], new double[n]));
        Assert.False(f.TryGetHessianDiagonal(new double[n + 1]));
    }

    [Fact]
    public void OverSumsWithoutCurvature_NewtonIsRefusedByName_AndLbfgsStillRuns()
    {
        Dataset<double> data = Make<double>("dense-double", 3, 2_000, 6, weighted: false, sorted: false);
        var inner = (ShardedSoftmaxSums<double>)SourceOf(Sharded(data, 2, false, true, Penalty.L2(1e-3), ClassWeights.None, null, [1]));
        var f = new ShardedMultinomialObjective(new PlainSource(inner), Penalty.L2(1e-3));
        int n = f.Dimension;
        Assert.IsAssignableFrom<ITwiceDifferentiableFunction>(f);
        var error = Assert.Throws<NotSupportedException>(() => f.HessianVector(new double[n], new double[n])); // before Evaluate too
        Assert.Contains("ISoftmaxCurvatureSource", error.Message);
        f.Evaluate(new double[n], new double[n]);
        Assert.False(f.TryGetHessianDiagonal(new double[n]));
        Assert.False(f.TryGetPreconditioner(new double[n]));
        error = Assert.Throws<NotSupportedException>(() => TrustRegionNewton.Minimize(f, new double[n], new SolverOptions { MaxIterations = 5 }));
        Assert.Contains("use L-BFGS", error.Message);
        Assert.True(Lbfgs.Minimize(f, new double[n], new SolverOptions { MaxIterations = 5 }).Iterations > 0);
    }

    [Fact]
    public void AShard_HessianBeforePreparing_IsAClearError_AndWrongLengthsAreRefused()
    {
        Dataset<double> data = Make<double>("dense-double", 3, 12_000, 24, weighted: false, sorted: false);
        ShardPlan plan = PlanOf(data, 3);
        var shard = new ShardSoftmaxSums<double>(Slice(data, plan.Shards[1]), plan, 1, []);
        int k = 3, d = 24, slot = SoftmaxSums.DiagonalSlotLength(k, d);
        Assert.Equal(k + (2 * k * d), slot);
        SoftmaxSums[] chunks = Enumerable.Range(0, shard.ChunkCount).Select(_ => new SoftmaxSums(k, d)).ToArray();
        var error = Assert.Throws<InvalidOperationException>(() => shard.HessianVectorChunks(new double[k * d], new double[k], chunks));
        Assert.Contains("PrepareCurvatureChunks", error.Message);
        Assert.False(shard.IsPreparedAt(new double[k * d], new double[k]));
        Assert.Throws<ArgumentException>(() => shard.PrepareCurvatureChunks(new double[k * d], new double[k], new double[(shard.ChunkCount * slot) - 1]));
        Assert.Throws<ArgumentException>(() => shard.PrepareCurvatureChunks(new double[(k * d) + 1], new double[k], default));
        Assert.Throws<ArgumentException>(() => SoftmaxSums.FoldSlots(new double[10], 3, new double[3]));
        Assert.Throws<ArgumentException>(() => SoftmaxSums.FoldSlots([], 3, new double[3]));
        Assert.Throws<ArgumentException>(() => SoftmaxSums.FoldSlots(new double[6], 3, new double[4]));
    }

    [Fact]
    public void AShard_PreparedAtOnePoint_ThenEvaluatedAtAnother_TakesTheProductAtThePreparedPoint()
    {
        // The cluster's order: the gradient at a trial point may be asked between the preparation and the products.
        Dataset<double> data = Make<double>("dense-double", 4, 12_000, 24, weighted: true, sorted: false);
        ShardPlan plan = PlanOf(data, 3);
        var shard = new ShardSoftmaxSums<double>(Slice(data, plan.Shards[2]), plan, 2, [1, 2, 0.5, 1], oneVsRest: false, maxDegreeOfParallelism: 3);
        int k = 4, d = 24, kd = k * d;
        double[] at = Vector(kd + k, 41, 0.3), elsewhere = Vector(kd + k, 42, 0.3), u = Vector(kd + k, 43, 1);
        SoftmaxSums[] Fresh() => Enumerable.Range(0, shard.ChunkCount).Select(_ => new SoftmaxSums(k, d)).ToArray();
        SoftmaxSums[] expected = Fresh(), after = Fresh(), evaluated = Fresh();
        shard.PrepareCurvatureChunks(at.AsSpan(0, kd), at.AsSpan(kd), default);
        shard.HessianVectorChunks(u.AsSpan(0, kd), u.AsSpan(kd), expected);
        shard.EvaluateChunks(elsewhere.AsSpan(0, kd), elsewhere.AsSpan(kd), evaluated);
        Assert.True(shard.IsPreparedAt(at.AsSpan(0, kd), at.AsSpan(kd)));
        Assert.False(shard.IsPreparedAt(elsewhere.AsSpan(0, kd), elsewhere.AsSpan(kd)));
        shard.HessianVectorChunks(u.AsSpan(0, kd), u.AsSpan(kd), after);
        for (int c = 0; c < shard.ChunkCount; c++)
        {
            Assert.Equal(expected[c].Gradient, after[c].Gradient);
            Assert.Equal(expected[c].Residuals, after[c].Residuals);
            Assert.Equal(0.0, after[c].Loss);
        }

        // The diagonal sums asked with the probabilities are the same probabilities (products unchanged).
        double[] diagonal = new double[shard.ChunkCount * SoftmaxSums.DiagonalSlotLength(k, d)];
        shard.PrepareCurvatureChunks(at.AsSpan(0, kd), at.AsSpan(kd), diagonal);
        shard.HessianVectorChunks(u.AsSpan(0, kd), u.AsSpan(kd), after);
        Assert.Equal(expected[0].Gradient, after[0].Gradient);
        Assert.All(diagonal, x => Assert.True(double.IsFinite(x)));
    }

    [Fact]
    public void AShard_IsPreparedAt_IsFalseForTheSameNumbersSplitOtherwise()
    {
        // HOSTILE (minor): IsPreparedAt compares the weights with the first weights.Length prepared values and the biases
        // with the rest, never checking weights.Length = K·d — K·d − 1 weights and K + 1 "intercepts" holding the same
        // numbers count as prepared.
        Dataset<double> data = Make<double>("dense-double", 3, 3_000, 5, weighted: false, sorted: false);
        ShardPlan plan = PlanOf(data, 1);
        var shard = new ShardSoftmaxSums<double>(Slice(data, plan.Shards[0]), plan, 0, []);
        double[] point = Vector(18, 71, 0.2);
        shard.PrepareCurvatureChunks(point.AsSpan(0, 15), point.AsSpan(15), default);
        Assert.True(shard.IsPreparedAt(point.AsSpan(0, 15), point.AsSpan(15)));
        Assert.False(shard.IsPreparedAt(point.AsSpan(0, 14), point.AsSpan(14)));
    }

    [Fact]
    public void TwoObjectivesOverOneInProcessSource_TheFirstsProductsAreAtItsOwnPoint()
    {
        // HOSTILE: ShardedMultinomialObjective remembers that it prepared its source at its last point, but an in-process
        // ShardedSoftmaxSums holds only the last point anyone prepared. (The cluster's grains re-prepare when the point
        // each call sends differs; ShardedSoftmaxSums has no such check.)
        Dataset<double> data = Make<double>("dense-double", 3, 12_000, 24, weighted: false, sorted: false);
        ShardedMultinomialObjective a = Sharded(data, 3, false, true, Penalty.L2(1e-3), ClassWeights.None, null, [1]);
        var b = new ShardedMultinomialObjective(SourceOf(a), Penalty.L2(1e-3));
        int n = a.Dimension;
        double[] x1 = Vector(n, 51, 0.3), x2 = Vector(n, 52, 0.6), v = Vector(n, 53, 1), g = new double[n];
        double[] first = new double[n], other = new double[n], again = new double[n];
        a.Evaluate(x1, g);
        a.HessianVector(v, first);
        b.Evaluate(x2, g);
        b.HessianVector(v, other);
        a.HessianVector(v, again);
        Assert.NotEqual(first, other);
        AssertBits(first, again, "objective a's product after b prepared the shared source at its own point");
    }

    [Fact]
    public void Cancellation_StopsShardedNewton_AsCancelled()
    {
        Dataset<double> data = Make<double>("dense-double", 4, 12_000, 24, weighted: false, sorted: false);
        ShardedMultinomialObjective f = Sharded(data, 3, false, true, Penalty.L2(1e-6), ClassWeights.None, null, [1]);
        using var cancel = new CancellationTokenSource();
        var counting = new Recorder(f, onHessianVector: count =>
        {
            if (count == 3)
            {
                cancel.Cancel();
            }
        });
        OptimizationResult result = TrustRegionNewton.Minimize(counting, new double[f.Dimension], new SolverOptions { Tolerance = 1e-12, MaxIterations = 100 }, cancel.Token);
        Assert.Equal(StopReason.Cancelled, result.StopReason);
        Assert.True(result.Iterations <= 2, $"{result.Iterations} iterations after the token was signalled in the first CG");
    }

    [Fact]
    public void ShardedProductsAndPreparations_AllocateLittlePerCall_AfterTheFirst()
    {
        // Wide enough that a per-call K·d or K × rows buffer would show: K = 6, d = 400, 8,000 rows. One thread per shard,
        // so every pass runs on this thread and this thread's allocations are all of them (other tests run meanwhile).
        Dataset<double> data = Make<double>("dense-double", 6, 8_000, 400, weighted: true, sorted: false);
        ShardedMultinomialObjective f = Sharded(data, 3, false, true, Penalty.L2(1e-3), ClassWeights.Balanced, FeatureScaling.Compute(data), [1]);
        int n = f.Dimension;
        double[] x = Vector(n, 61, 0.1), y = Vector(n, 62, 0.1), v = Vector(n, 63, 1), g = new double[n], hv = new double[n], m = new double[n];
        f.Evaluate(x, g);
        f.TryGetPreconditioner(m);
        f.HessianVector(v, hv);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            f.HessianVector(v, hv);
        }

        long perProduct = (GC.GetAllocatedBytesForCurrentThread() - before) / 10;
        before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            f.Evaluate(i % 2 == 0 ? y : x, g);
            f.TryGetPreconditioner(m);
        }

        long perPreparation = (GC.GetAllocatedBytesForCurrentThread() - before) / 10;
        Assert.True(perProduct <= 4_096, $"{perProduct:N0} bytes per Hessian-vector product (K·d = {6 * 400:N0})");
        Assert.True(perPreparation <= 4_096, $"{perPreparation:N0} bytes per evaluation and preconditioner");
    }

    // ---------------------------------------------------------------- 7. the cluster's option checks, without a cluster

    [Fact]
    public async Task Cluster_NewtonWithAnL1Share_IsRefused_AndTheMessageDoesNotBlameColumns()
    {
        // Check runs before any grain is called: a factory that throws on use shows the message a user would get.
        IGrainFactory nowhere = DispatchProxy.Create<IGrainFactory, ThrowingProxy>();
        var options = new TrainingOptions { Solver = Solver.Newton, Lambda = 1e-3, L1Ratio = 0.5 };
        var error = await Assert.ThrowsAsync<NotSupportedException>(() => ClusterTraining.TrainAsync(nowhere, "three.csv", options, new ClusterTrainingOptions { MaxClasses = 10 }));

        // HOSTILE: the message reads "Newton is not sharded (coordinate descent reads columns)" — Newton is sharded now
        // (binary and K-class), it is only the L1 share it cannot take; the reason given is coordinate descent's.
        Assert.DoesNotContain("Newton is not sharded", error.Message);
    }

    // ---------------------------------------------------------------- helpers

    // DispatchProxy needs an unsealed proxy type.
#pragma warning disable CA1852
    private class ThrowingProxy : DispatchProxy
#pragma warning restore CA1852
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            throw new InvalidOperationException($"No grain was to be called ({targetMethod?.Name}).");
    }

    /// <summary>The sums without the curvature interface (an older or third-party ISoftmaxSumsSource).</summary>
    private sealed class PlainSource(ISoftmaxSumsSource inner) : ISoftmaxSumsSource
    {
        public int Classes => inner.Classes;

        public int Columns => inner.Columns;

        public double TotalWeight => inner.TotalWeight;

        public void Evaluate(ReadOnlySpan<double> weights, ReadOnlySpan<double> biases, SoftmaxSums sums) => inner.Evaluate(weights, biases, sums);
    }

    /// <summary>Every call a solver makes, with its results.</summary>
    private sealed class Recorder(ITwiceDifferentiableFunction inner, Action<int>? onHessianVector = null) : ITwiceDifferentiableFunction
    {
        private int _products;

        public List<(string Call, double[] Values)> Log { get; } = [];

        /// <summary>Two evaluations in a row: the second is the iterate again after a rejected trial point.</summary>
        public int Rejections => Log.Zip(Log.Skip(1)).Count(p => p.First.Call == "Evaluate" && p.Second.Call == "Evaluate");

        public int Dimension => inner.Dimension;

        public double Evaluate(ReadOnlySpan<double> point, Span<double> gradient)
        {
            double f = inner.Evaluate(point, gradient);
            Log.Add(("Evaluate", [f, .. point, .. gradient]));
            return f;
        }

        public void HessianVector(ReadOnlySpan<double> direction, Span<double> product)
        {
            inner.HessianVector(direction, product);
            Log.Add(("HessianVector", [.. direction, .. product]));
            onHessianVector?.Invoke(++_products);
        }

        public bool TryGetHessianDiagonal(Span<double> diagonal)
        {
            bool ok = inner.TryGetHessianDiagonal(diagonal);
            Log.Add(("Diagonal", ok ? diagonal.ToArray() : []));
            return ok;
        }

        public bool TryGetPreconditioner(Span<double> preconditioner)
        {
            bool ok = inner.TryGetPreconditioner(preconditioner);
            Log.Add(("Preconditioner", ok ? preconditioner.ToArray() : []));
            return ok;
        }
    }

    private static ISoftmaxSumsSource SourceOf(ShardedMultinomialObjective objective) =>
        (ISoftmaxSumsSource)typeof(ShardedMultinomialObjective).GetField("_source", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(objective)!;

    private static ClassWeights Weights(string name, int k) => name switch
    {
        "balanced" or "sorted" => ClassWeights.Balanced,
        "given" => ClassWeights.Of(Enumerable.Range(0, k).Select(c => 0.5 + (0.25 * c)).ToArray()),
        _ => ClassWeights.None,
    };

    private static void AssertBits(double[] expected, double[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {expected.Length} values against {actual.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.DoubleToInt64Bits(expected[i]) != BitConverter.DoubleToInt64Bits(actual[i]) && !(double.IsNaN(expected[i]) && double.IsNaN(actual[i])))
            {
                Assert.Fail($"{what}: value {i} of {expected.Length} is {actual[i]:R}, the local objective's {expected[i]:R} (first difference)");
            }
        }
    }

    private static double[] Vector(int n, int seed, double scale)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => ((rng.NextDouble() * 2) - 1) * scale).ToArray();
    }

    private static double[] Add(double[] x, double[] u, double t) => x.Select((a, i) => a + (t * u[i])).ToArray();

    private static double Dot(double[] a, double[] b) => a.Select((x, i) => x * b[i]).Sum();

    /// <summary>The sharded objective over copies of each shard's rows, class weights resolved over the merged totals.</summary>
    internal static ShardedMultinomialObjective Sharded<T>(Dataset<T> data, int shards, bool oneVsRest, bool fitIntercept, Penalty penalty, ClassWeights classWeights, FeatureScaling? scaling, int?[] threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ShardPlan plan = PlanOf(data, shards);
        Dataset<T>[] parts = plan.Shards.Select(s => Slice(data, s)).ToArray();
        ClassTotals totals = ShardedLossSums.MergeTotals(plan.Shards.SelectMany(s => new ShardSoftmaxSums<T>(parts[s.Index], plan, s.Index, []).ChunkTotals()));
        double[] weights = classWeights.ResolveAll(totals);
        ShardSoftmaxSums<T>[] sums = plan.Shards.Select(s => new ShardSoftmaxSums<T>(parts[s.Index], plan, s.Index, weights, oneVsRest, threads[s.Index % threads.Length])).ToArray();
        return new ShardedMultinomialObjective(new ShardedSoftmaxSums<T>(sums, totals.TotalWeight(weights)), penalty, fitIntercept, scaling);
    }

    internal static ShardPlan PlanOf<T>(Dataset<T> data, int shards)
        where T : unmanaged, IFloatingPointIeee754<T> => data is SparseDataset<T> sparse
        ? ShardPlan.Sparse(sparse.Matrix.RowOffsets.Span, data.Columns, System.Runtime.CompilerServices.Unsafe.SizeOf<T>(), shards)
        : ShardPlan.Dense(data.Rows, data.Columns, System.Runtime.CompilerServices.Unsafe.SizeOf<T>(), shards);

    internal static Dataset<T> Slice<T>(Dataset<T> data, ShardRange s)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] labels = data.Labels.Slice(s.FirstRow, s.Rows).ToArray();
        T[]? weights = data.HasSampleWeights ? data.SampleWeights.Slice(s.FirstRow, s.Rows).ToArray() : null;
        if (data is DenseDataset<T> dense)
        {
            return DenseDataset.Create(dense.Features.Slice(s.FirstRow * data.Columns, s.Rows * data.Columns).ToArray(), labels, data.Columns, data.ClassCount, weights);
        }

        var csr = (SparseDataset<T>)data;
        ReadOnlySpan<long> offsets = csr.Matrix.RowOffsets.Span;
        long first = offsets[s.FirstRow], end = offsets[s.FirstRow + s.Rows];
        long[] local = new long[s.Rows + 1];
        for (int i = 0; i <= s.Rows; i++)
        {
            local[i] = offsets[s.FirstRow + i] - first;
        }

        T[] values = csr.Matrix.Values.Slice((int)first, (int)(end - first)).ToArray();
        int[] indices = csr.Matrix.ColumnIndices.Slice((int)first, (int)(end - first)).ToArray();
        return SparseDataset.Create(CsrMatrix.Create<T>(values, indices, local, data.Columns), labels, data.ClassCount, weights ?? default(ReadOnlyMemory<T>));
    }

    /// <summary>
    /// K-class rows: dense (columns of one scale, some offset from zero), "scaled" (columns from 10⁻¹⁰⁰ to 10¹⁰⁰),
    /// "separable" (labels without noise and a column 10⁴ times the others), or sparse (0 … 2·perRow entries a row,
    /// empty rows among them); labels the argmax of K linear scores plus noise; optional sample weights (zeros among
    /// them) and labels sorted so that shards lack classes.
    /// </summary>
    internal static Dataset<T> Make<T>(string layout, int k, int rows, int d, bool weighted, bool sorted)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random((k * 1009) + (rows * 7) + d + layout.Length);
        double[] w = Enumerable.Range(0, k * d).Select(_ => (rng.NextDouble() * 2) - 1).ToArray();
        bool separable = layout.StartsWith("separable", StringComparison.Ordinal);
        double[] scale = Enumerable.Range(0, d).Select(j => layout.StartsWith("scaled", StringComparison.Ordinal) ? Math.Pow(10, -100 + (200.0 * j / Math.Max(1, d - 1))) : separable && j == 1 ? 1e4 : 1.0).ToArray();
        double[] y = new double[rows];
        double[]? s = weighted ? Enumerable.Range(0, rows).Select(i => i % 13 == 0 ? 0.0 : 0.25 + (0.5 * (i % 5))).ToArray() : null;
        int[] order = Enumerable.Range(0, rows).ToArray();
        if (layout.StartsWith("sparse", StringComparison.Ordinal))
        {
            var rowsOf = new List<(int[] Columns, double[] Values)>();
            for (int i = 0; i < rows; i++)
            {
                int[] picked = Enumerable.Range(0, rng.Next(0, 60)).Select(_ => rng.Next(d)).Distinct().Order().ToArray();
                double[] values = picked.Select(_ => (rng.NextDouble() * 2) - 1).ToArray();
                rowsOf.Add((picked, values));
                y[i] = Label(c => picked.Select((j, q) => values[q] * w[(c * d) + j]).Sum());
            }

            if (sorted)
            {
                order = [.. order.OrderBy(i => y[i])];
            }

            long[] offsets = new long[rows + 1];
            var all = new List<T>();
            var columns = new List<int>();
            for (int r = 0; r < rows; r++)
            {
                (int[] cols, double[] vals) = rowsOf[order[r]];
                all.AddRange(vals.Select(T.CreateTruncating));
                columns.AddRange(cols);
                offsets[r + 1] = all.Count;
            }

            return SparseDataset.Create(
                CsrMatrix.Create<T>(all.ToArray(), columns.ToArray(), offsets, d),
                order.Select(i => T.CreateTruncating(y[i])).ToArray(),
                k,
                s is null ? default(ReadOnlyMemory<T>) : order.Select(i => T.CreateTruncating(s[i])).ToArray());
        }

        double[] x = new double[rows * d];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < d; j++)
            {
                x[(i * d) + j] = (((rng.NextDouble() * 2) - 1) + (j % 3 == 0 ? 0.75 : 0)) * scale[j];
            }

            y[i] = Label(c => Enumerable.Range(0, d).Sum(j => x[(i * d) + j] / scale[j] * w[(c * d) + j] * (separable ? 8 : 1)));
        }

        if (sorted)
        {
            order = [.. order.OrderBy(i => y[i])];
        }

        T[] features = new T[rows * d];
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < d; j++)
            {
                features[(r * d) + j] = T.CreateTruncating(x[(order[r] * d) + j]);
            }
        }

        return DenseDataset.Create(features, order.Select(i => T.CreateTruncating(y[i])).ToArray(), d, k, s is null ? null : order.Select(i => T.CreateTruncating(s[i])).ToArray());

        double Label(Func<int, double> score)
        {
            int best = 0;
            double top = double.NegativeInfinity;
            for (int c = 0; c < k; c++)
            {
                double z = score(c) + (separable ? 0 : -Math.Log(-Math.Log(rng.NextDouble() + 1e-300)));
                if (z > top)
                {
                    (top, best) = (z, c);
                }
            }

            return best;
        }
    }
}

/// <summary>The cases that need a real two-silo cluster (few: each deploys one).</summary>
public sealed class ShardedNewtonHostileClusterTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _cluster = new InProcessTestClusterBuilder(2).Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Libsvm_FourClasses_FloatOnTheSilos_Newton_IsBitIdenticalToOneMachine()
    {
        var rows = (SparseDataset<double>)ShardedNewtonHostileTests.Make<double>("sparse-double", 4, 20_000, 300, weighted: false, sorted: false);
        var text = new StringBuilder();
        ReadOnlySpan<long> offsets = rows.Matrix.RowOffsets.Span;
        for (int i = 0; i < rows.Rows; i++)
        {
            text.Append((int)rows.Labels.Span[i] + 1);
            for (long q = offsets[i]; q < offsets[i + 1]; q++)
            {
                text.Append(' ').Append(rows.Matrix.ColumnIndices.Span[(int)q] + 1).Append(':').Append(((float)rows.Matrix.Values.Span[(int)q]).ToString("R", CultureInfo.InvariantCulture));
            }

            text.Append('\n');
        }

        string path = _dir.Write("four.libsvm", text.ToString());
        var options = new TrainingOptions { Solver = Solver.Newton, L2 = 1e-3, Tolerance = 1e-10, MaxIterations = 200, ClassWeights = ClassWeights.Balanced };
        SparseLabeledData<float> data = LibSvmDataReader.ReadSparse<float>(path, new LibSvmReadOptions { MaxClasses = 10 });
        TrainingResult local = LogisticRegression.Train(data.Data, options);

        ClusterTrainingResult sharded = await ClusterTraining.TrainAsync(_cluster.Client, path, options, new ClusterTrainingOptions { Shards = 3, MaxClasses = 10, Float = true });

        Assert.Equal(local.Report.Iterations, sharded.Optimization.Iterations);
        AssertSameModel((MulticlassModel)local.Classifier, (MulticlassModel)sharded.Classifier);
    }

    [Fact]
    public async Task TwoClasses_Multinomial_Newton_StandardizedWithoutIntercept_ASiloStopped_IsBitIdenticalToOneMachine()
    {
        var rows = (DenseDataset<double>)ShardedNewtonHostileTests.Make<double>("dense-double", 2, 24_000, 20, weighted: false, sorted: false);
        string path = Csv(rows, "two.csv");
        var options = new TrainingOptions { Solver = Solver.Newton, MultiClass = MultiClass.Multinomial, Standardize = true, FitIntercept = false, L2 = 1e-3, Tolerance = 1e-10, MaxIterations = 200 };
        LabeledData<double> data = CsvDataReader.Read<double>(path);
        TrainingResult local = LogisticRegression.Train(data.Data, options);
        InProcessSiloHandle victim = _cluster.Silos[1];
        var cluster = new ClusterTrainingOptions
        {
            Shards = 4,
            CallTimeout = TimeSpan.FromSeconds(20),
            BeforeEvaluation = n =>
            {
                if (n == 3)
                {
                    _cluster.StopSiloAsync(victim).GetAwaiter().GetResult();
                }
            },
        };

        ClusterTrainingResult sharded = await ClusterTraining.TrainAsync(_cluster.Client, path, options, cluster);

        Assert.False(victim.IsActive);
        Assert.Equal(local.Report.Iterations, sharded.Optimization.Iterations);
        AssertSameModel((MulticlassModel)local.Classifier, (MulticlassModel)sharded.Classifier);
    }

    [Fact]
    public async Task PerShardSums_ThroughTheTree_KClassNewton_IsALocalTreeFoldWithPerChunkProducts()
    {
        var rows = (DenseDataset<double>)ShardedNewtonHostileTests.Make<double>("dense-double", 3, 30_000, 20, weighted: false, sorted: false);
        string path = Csv(rows, "three.csv");
        const int Shards = 5, FanIn = 2;
        var options = new TrainingOptions { Solver = Solver.Newton, L2 = 1e-3, Tolerance = 1e-10, MaxIterations = 200 };
        DenseDataset<double> data = CsvDataReader.Read<double>(path, new CsvReadOptions { MaxClasses = 10 }).Data;

        ClusterTrainingResult sharded = await ClusterTraining.TrainAsync(_cluster.Client, path, options, new ClusterTrainingOptions { Shards = Shards, MaxClasses = 10, PerShardSums = true, FanIn = FanIn });

        // The reference: the values and gradients folded per shard through the same tree, the products per chunk.
        ShardPlan plan = ShardedNewtonHostileTests.PlanOf(data, Shards);
        ShardSoftmaxSums<double>[] parts = plan.Shards.Select(s => new ShardSoftmaxSums<double>(ShardedNewtonHostileTests.Slice(data, s), plan, s.Index, [])).ToArray();
        var curvature = new ShardedSoftmaxSums<double>(parts, data.Rows);
        var objective = new ShardedMultinomialObjective(new TreeSource(parts, curvature, FanIn), options.Penalty);
        OptimizationResult fit = TrustRegionNewton.Minimize(objective, new double[objective.Dimension], new SolverOptions { Tolerance = options.Tolerance, MaxIterations = options.MaxIterations });
        LogisticRegression.CenterShiftDirection(fit.Point, 3, data.Columns, true, false);
        double[] w = new double[3 * data.Columns], b = new double[3];
        objective.ToRaw(fit.Point, w, b);
        Assert.Equal(fit.Iterations, sharded.Optimization.Iterations);
        AssertSameModel(new MulticlassModel(ClassificationKind.Multinomial, w, b), (MulticlassModel)sharded.Classifier);

        // And it is the one-machine fit up to the grouping of the additions.
        var local = (MulticlassModel)LogisticRegression.Train(data, options).Classifier;
        for (int c = 0; c < 3; c++)
        {
            double[] expected = local.Coefficients(c).ToArray(), actual = ((MulticlassModel)sharded.Classifier).Coefficients(c).ToArray();
            for (int j = 0; j < expected.Length; j++)
            {
                Assert.True(Math.Abs(expected[j] - actual[j]) <= 1e-7 * (1 + Math.Abs(expected[j])), $"class {c}, column {j}: {actual[j]:R} against {expected[j]:R}");
            }
        }
    }

    [Fact]
    public async Task AGrain_PreparedWithOtherClassWeightsOrLoss_PreparesAgainForTheProduct()
    {
        var rows = (DenseDataset<double>)ShardedNewtonHostileTests.Make<double>("dense-double", 3, 12_000, 20, weighted: false, sorted: false);
        string path = Csv(rows, "grain.csv");
        ShardJob job = await _cluster.Client.GetGrain<IShardGrain>("hostile-plan/plan").Plan(path, null, 3, false, null, false, 10);
        int k = 3, d = job.Sources[0].Columns;
        byte[] Bytes(int seed) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(Enumerable.Range(0, (k * d) + k).Select(i => Math.Cos((seed * 5.0) + i) * 0.2).ToArray().AsSpan()).ToArray();
        byte[] point = Bytes(1), direction = Bytes(2);
        double[] ones = [1, 1, 1], other = [0.5, 2, 1];
        foreach (ShardSource source in job.Sources)
        {
            IShardGrain prepared = _cluster.Client.GetGrain<IShardGrain>($"hostile-a/{source.Index}");
            IShardGrain fresh = _cluster.Client.GetGrain<IShardGrain>($"hostile-b/{source.Index}");
            IShardGrain freshOvr = _cluster.Client.GetGrain<IShardGrain>($"hostile-c/{source.Index}");
            await prepared.PrepareSoftmaxCurvature(source, ones, false, point, diagonal: true);
            Assert.Equal(await fresh.SoftmaxHessianVector(source, other, false, point, direction), await prepared.SoftmaxHessianVector(source, other, false, point, direction));
            await prepared.PrepareSoftmaxCurvature(source, other, false, point, diagonal: false);
            Assert.Equal(await freshOvr.SoftmaxHessianVector(source, other, true, point, direction), await prepared.SoftmaxHessianVector(source, other, true, point, direction));
            await Assert.ThrowsAnyAsync<Exception>(() => prepared.SoftmaxHessianVector(source, ones, false, point, direction[..^8]));
        }
    }

    private sealed class TreeSource(ShardSoftmaxSums<double>[] shards, ShardedSoftmaxSums<double> curvature, int fanIn) : ISoftmaxCurvatureSource
    {
        private readonly SoftmaxSums[][] _chunks = shards.Select(s => Enumerable.Range(0, s.ChunkCount).Select(_ => new SoftmaxSums(s.Classes, s.Columns)).ToArray()).ToArray();
        private readonly SoftmaxSums[] _shardSums = shards.Select(s => new SoftmaxSums(s.Classes, s.Columns)).ToArray();

        public int Classes => shards[0].Classes;

        public int Columns => shards[0].Columns;

        public double TotalWeight => curvature.TotalWeight;

        public bool SparseRows => curvature.SparseRows;

        public void Evaluate(ReadOnlySpan<double> weights, ReadOnlySpan<double> biases, SoftmaxSums sums)
        {
            for (int s = 0; s < shards.Length; s++)
            {
                shards[s].EvaluateChunks(weights, biases, _chunks[s]);
                SoftmaxSums.Fold(_chunks[s], _shardSums[s]);
            }

            AggregationTree.Fold(_shardSums, fanIn, sums);
        }

        public void PrepareCurvature(ReadOnlySpan<double> weights, ReadOnlySpan<double> biases, Span<double> diagonalSums) => curvature.PrepareCurvature(weights, biases, diagonalSums);

        public void HessianVector(ReadOnlySpan<double> atWeights, ReadOnlySpan<double> atBiases, ReadOnlySpan<double> weights, ReadOnlySpan<double> biases, SoftmaxSums product) => curvature.HessianVector(atWeights, atBiases, weights, biases, product);
    }

    private string Csv(DenseDataset<double> rows, string name)
    {
        int d = rows.Columns;
        var text = new StringBuilder(string.Join(',', Enumerable.Range(0, d).Select(j => $"x{j}")) + ",y\n");
        ReadOnlySpan<double> x = rows.Features.Span;
        for (int i = 0; i < rows.Rows; i++)
        {
            for (int j = 0; j < d; j++)
            {
                text.Append(x[(i * d) + j].ToString("R", CultureInfo.InvariantCulture)).Append(',');
            }

            text.Append("k").Append((int)rows.Labels.Span[i]).Append('\n');
        }

        return _dir.Write(name, text.ToString());
    }

    private static void AssertSameModel(MulticlassModel expected, MulticlassModel actual)
    {
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.ClassCount, actual.ClassCount);
        for (int c = 0; c < expected.ClassCount; c++)
        {
            Assert.Equal(expected.Coefficients(c).ToArray(), actual.Coefficients(c).ToArray());
            Assert.Equal(expected.Intercept(c), actual.Intercept(c));
        }
    }
}
