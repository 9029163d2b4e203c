using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using FastLogReg.Data;
using FastLogReg.Kernels;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;

namespace FastLogReg.Training;

/// <content>Training K classes: multinomial (softmax) and one-vs-rest, through the same solvers, options and report.</content>
public static partial class LogisticRegression
{
    private static TrainingResult TrainMulticlass<T>(Dataset<T> data, TrainingOptions options, CancellationToken cancellationToken)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (options.Solver is Solver.DualCoordinateDescent)
        {
            throw new ArgumentException($"The {options.Solver} solver trains binary models; for K classes use L-BFGS (the default; OwlQn for L1), CoordinateDescent, Newton, NewtonCholesky or one of the first-order solvers.", nameof(options));
        }

        CheckWholeHessianSize(data, options);

        if (options.Solver == Solver.MiniBatchSgd)
        {
            throw new ArgumentException("MiniBatchSgd trains binary models; for K classes use L-BFGS (the default) or one of the full-batch solvers.", nameof(options));
        }

        var stopwatch = Stopwatch.StartNew();
        bool oneVsRest = options.MultiClass == MultiClass.OneVsRest;
        int k = data.ClassCount, d = data.Columns;
        CheckTrainable(data, options, vectors: k);
        FeatureScaling? scaling = options.Standardize ? FeatureScaling.Compute(data, options.MaxDegreeOfParallelism) : null;
        Penalty penalty = options.Penalty;
        Solver solver = EffectiveSolver(options, multiclass: true);
        bool handOver = HandsOverToProximalNewton(solver, data, options);
        bool newtonAfter = HandsOverToTrustRegionNewton(solver, data, options);
        var objective = new MultinomialObjective<T>(data, penalty, oneVsRest, options.FitIntercept, options.MaxDegreeOfParallelism, scaling, options.ClassWeights);
        double[] start = MulticlassStart(options, k, d, scaling, oneVsRest);
        double? referenceNorm = null;
        if (options.InitialModel is not null)
        {
            double[] scratch = new double[start.Length];
            objective.Evaluate(new double[start.Length], scratch);
            referenceNorm = TensorPrimitives.Norm<double>(scratch);
        }

        double columnPasses = 0;
        var rules = new StoppingRules(handOver ? AutoMulticlassOwlQnIterations(k, d) : newtonAfter ? AutoMulticlassLbfgsIterations : options.MaxIterations, options.Tolerance, referenceNorm, options.Progress, () => objective.DataPasses + columnPasses, cancellationToken);
        int floatIterations = 0;
        double learningRate = solver is Solver.Lbfgs or Solver.OwlQn or Solver.NewtonCholesky or Solver.Newton or Solver.CoordinateDescent ? double.NaN : options.LearningRate ?? SafeLearningRate(objective);
        OptimizationResult result = solver switch
        {
            Solver.GradientDescent => GradientDescent.Minimize(objective, start, learningRate, rules),
            Solver.BacktrackingGradientDescent => BacktrackingGradientDescent.Minimize(objective, start, learningRate, rules),
            Solver.Nesterov => NesterovGradientDescent.Minimize(objective, start, learningRate, rules),
            Solver.OwlQn => OwlQn.Minimize(objective, start, penalty.L1Strength, k * d, options.LbfgsHistory, rules),
            Solver.NewtonCholesky => NewtonCholesky.Minimize(objective, start, rules),
            Solver.Newton => TrustRegionNewton.Minimize(objective, start, rules),
            Solver.CoordinateDescent => CoordinateDescentMulticlass(data, options, scaling, objective, start, rules, passes => columnPasses += passes),
            _ when options.FloatProducts && objective.FloatProductsSupported => FloatThenDouble(objective, start, options.LbfgsHistory, rules, out floatIterations),
            _ => Lbfgs.Minimize(objective, start, options.LbfgsHistory, rules),
        };

        string? prelude = null;
        if (handOver && result.StopReason is StopReason.MaxIterations or StopReason.NoProgress)
        {
            // OWL-QN crawls on ill-conditioned K-class data (10-class digits at C = 100: 4,841 iterations): proximal Newton
            // takes over from its best point with the iterations left.
            prelude = HandOverPrelude("OWL-QN", "proximal Newton", result);
            result = ProximalNewton.HandOver(result, objective, penalty.L1Strength, k * d, RulesAfter(rules, options, referenceNorm, result));
            solver = Solver.CoordinateDescent;
        }

        if (newtonAfter && result.StopReason is StopReason.MaxIterations or StopReason.NoProgress)
        {
            // L-BFGS crawls on ill-conditioned K-class data (columns of very different scales, near-separable classes):
            // trust-region Newton takes over from its best point with the iterations left.
            prelude = HandOverPrelude("L-BFGS", "trust-region Newton", result);
            result = TrustRegionNewton.HandOver(result, objective, RulesAfter(rules, options, referenceNorm, result));
            solver = Solver.Newton;
        }

        if (solver is Solver.NewtonCholesky or Solver.Newton or Solver.CoordinateDescent && !oneVsRest)
        {
            CenterShiftDirection(result.Point, k, d, options.FitIntercept, penalty.CurvatureBound == 0 && penalty.L1Strength == 0);
        }

        double[] weights = new double[k * d];
        double[] intercepts = new double[k];
        objective.ToRaw(result.Point, weights, intercepts);
        var model = new MulticlassModel(oneVsRest ? ClassificationKind.OneVsRest : ClassificationKind.Multinomial, weights, intercepts);
        stopwatch.Stop();
        double finalLoss = result.Objective - penalty.Value(result.Point.AsSpan(0, k * d));
        // As the binary trainer's Separable: the unpenalized loss has no minimum; what "converged" is a flat stretch.
        StopReason reason = result.StopReason;
        string? separation = options.L2 == 0 && reason is StopReason.Converged or StopReason.NoProgress ? Separation(model, data) : null;
        if (separation is not null)
        {
            reason = StopReason.Separable;
        }

        string message = Describe(result, reason, options, learningRate, data, scaling, objective.DataPasses + columnPasses, () => SafeLearningRate(objective), separation);
        if (prelude is not null)
        {
            message = prelude + message;
        }

        if (floatIterations > 0)
        {
            message = string.Create(CultureInfo.InvariantCulture, $"The first {floatIterations} iterations ran with float products, the rest in double. {message}");
        }
        var report = new TrainingReport(
            solver,
            result.Iterations,
            reason,
            result.Objective,
            finalLoss,
            result.GradientNorm,
            result.ConvergenceThreshold,
            result.ObjectiveHistory,
            result.GradientNormHistory,
            objective.DataPasses + columnPasses,
            stopwatch.Elapsed,
            message)
        { NonZeroWeights = CountNonZeros(weights) };
        return new TrainingResult(model, report) { Standardization = scaling };
    }

    /// <summary>
    /// K-class coordinate descent: multinomial by proximal Newton on the whole Hessian (<see cref="ProximalNewton"/>;
    /// its size checked by the caller), one-vs-rest by newGLMNET per class (stepped in rounds) on a column copy of the data
    /// (<see cref="OneVsRestCoordinateDescent{T}"/>).
    /// </summary>
    private static OptimizationResult CoordinateDescentMulticlass<T>(Dataset<T> data, TrainingOptions options, FeatureScaling? scaling, MultinomialObjective<T> objective, double[] start, StoppingRules rules, Action<double> countPasses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double l1 = objective.Penalty.L1Strength;
        if (!objective.OneVsRest)
        {
            return ProximalNewton.Minimize(objective, start, l1, data.ClassCount * data.Columns, rules);
        }

        using ColumnCopy<T> columns = ColumnCopy<T>.From(data);
        var classes = new OneVsRestCoordinateDescent<T>(columns, data.Labels.Span, data.ClassCount, MulticlassRowWeights(data, objective), scaling, options.FitIntercept, options.MaxDegreeOfParallelism);
        return classes.Minimize(l1, options.Lambda * (1 - options.L1Ratio), start, rules, countPasses);
    }

    /// <summary>
    /// A K-class solver that builds the whole Hessian — exact Newton, or multinomial coordinate descent (proximal Newton)
    /// — asked for on more parameters than it may have: the error that says so and what to use instead.
    /// </summary>
    internal static void CheckWholeHessianSize<T>(Dataset<T> data, TrainingOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long parameters = (long)data.ClassCount * (data.Columns + (options.FitIntercept ? 1 : 0));
        if (parameters <= RegularizedObjective.MaxHessianDimension)
        {
            return;
        }

        string size = $"the whole Hessian of {parameters:N0} parameters (K = {data.ClassCount} classes of {data.Columns:N0} features{(options.FitIntercept ? " and an intercept" : string.Empty)}), at most {RegularizedObjective.MaxHessianDimension:N0}";
        if (options.Solver == Solver.NewtonCholesky)
        {
            throw new ArgumentException($"The NewtonCholesky solver builds {size}: use L-BFGS, or Newton (trust-region, no matrix).", nameof(options));
        }

        if (options.Solver == Solver.CoordinateDescent && options.MultiClass != MultiClass.OneVsRest)
        {
            throw new ArgumentException($"K-class coordinate descent (proximal Newton) builds {size}: use OwlQn (the default for L1) or MultiClass = OneVsRest.", nameof(options));
        }
    }

    /// <summary>The rows' weights as the K-class objective has them, sᵢ·cw(yᵢ)/S (summing to 1).</summary>
    internal static double[] MulticlassRowWeights<T>(Dataset<T> data, MultinomialObjective<T> objective)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double[] s = new double[data.Rows];
        objective.RowWeights(s, 1.0 / objective.TotalWeight);
        return s;
    }

    /// <summary>
    /// L-BFGS with float products until the gradient has fallen by <see cref="TrainingOptions.FloatProductsReduction"/>
    /// (or stops), then in double from that point with the same curvature pairs, the iterations left and the first
    /// phase's starting gradient as the reference of the relative tolerance: one run, as the report sees it.
    /// </summary>
    private static OptimizationResult FloatThenDouble<T>(MultinomialObjective<T> objective, double[] start, int history, StoppingRules rules, out int floatIterations)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var pairs = new CurvatureMemory(start.Length, history);
        OptimizationResult fast;
        objective.FloatProducts = true;
        try
        {
            fast = Lbfgs.Minimize(objective, start, history, rules with { Tolerance = Math.Max(rules.Tolerance, TrainingOptions.FloatProductsReduction) }, pairs);
        }
        finally
        {
            objective.FloatProducts = false;
        }

        floatIterations = fast.Iterations;
        StoppingRules rest = ContinuedProgress.After(rules, fast.Iterations) with
        {
            MaxIterations = Math.Max(0, rules.MaxIterations - fast.Iterations),
            ReferenceGradientNorm = rules.ReferenceGradientNorm ?? fast.GradientNormHistory[0],
        };
        return OptimizationResult.Join(fast, Lbfgs.Minimize(objective, fast.Point, history, rest, pairs), restated: true);
    }

    /// <summary>
    /// The softmax is unchanged when every class's intercept (and, without a penalty on W, every class's weights) moves
    /// by the same amount: that direction is the Hessian's null space, and exact Newton's shifted steps leave an
    /// arbitrary amount of it in the result (it differed by SIMD width). Removes it — intercepts, and unpenalized
    /// weights, summing to zero over the classes, as L-BFGS from zero keeps them — without changing a probability.
    /// </summary>
    internal static void CenterShiftDirection(double[] point, int k, int d, bool fitIntercept, bool unpenalized)
    {
        if (fitIntercept)
        {
            Span<double> b = point.AsSpan(k * d, k);
            double mean = TensorPrimitives.Sum<double>(b) / k;
            TensorPrimitives.Subtract(b, mean, b);
        }

        if (unpenalized)
        {
            for (int j = 0; j < d; j++)
            {
                double mean = 0;
                for (int c = 0; c < k; c++)
                {
                    mean += point[(c * d) + j];
                }

                mean /= k;
                for (int c = 0; c < k; c++)
                {
                    point[(c * d) + j] -= mean;
                }
            }
        }
    }

    /// <summary>
    /// The safe fixed step 1/L for a K-class objective: the softmax's Hessian in z is at most ½·I (each σ′ of
    /// one-vs-rest at most ¼), so L ≤ ‖X̃‖²_F/(2S) (or /(4S)) plus the penalty's curvature.
    /// </summary>
    internal static double SafeLearningRate<T>(MultinomialObjective<T> objective)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Dataset<T> data = objective.Data;
        FeatureScaling? scaling = objective.Scaling;
        double largest = scaling is null ? data.MaxMagnitude : 0;
        if (scaling is not null)
        {
            for (int j = 0; j < data.Columns; j++)
            {
                largest = Math.Max(largest, (data.MaxMagnitude + Math.Abs(scaling.Means[j])) / scaling.Scales[j]);
            }
        }

        double unit = largest > 0 && double.IsFinite(largest) ? Math.Pow(2, Math.Ceiling(Math.Log2(largest))) : 1.0;
        double intercept = objective.FitIntercept ? 1.0 / unit / unit : 0.0;
        FeatureLayout<T> layout = objective.Layout;
        double total = 0;
        for (int c = 0; c < layout.Partition.ChunkCount; c++)
        {
            (int start, int count) = layout.Partition[c];
            total += layout.WeightedSquaredNorms(start, count, scaling is null ? default : scaling.Means, scaling is null ? default : scaling.Scales, unit, intercept, objective.ClassWeightValues);
        }

        double lipschitz = (unit * unit * (total / ((objective.OneVsRest ? 4.0 : 2.0) * objective.TotalWeight))) + objective.Penalty.CurvatureBound;
        double rate = 1.0 / lipschitz;
        return rate > 0 && double.IsFinite(rate)
            ? rate
            : throw new ArgumentException($"The safe learning rate 1/L is not representable for this data (L = {lipschitz:G3}): standardize the features (Standardize = true) or rescale them.", nameof(objective));
    }

    private static double[] MulticlassStart(TrainingOptions options, int classes, int d, FeatureScaling? scaling, bool oneVsRest)
    {
        double[] start = new double[(classes * d) + (options.FitIntercept ? classes : 0)];
        if (options.InitialModel is null)
        {
            return start;
        }

        ClassificationKind kind = oneVsRest ? ClassificationKind.OneVsRest : ClassificationKind.Multinomial;
        if (options.InitialModel is not MulticlassModel initial || initial.Kind != kind || initial.ClassCount != classes || initial.FeatureCount != d)
        {
            throw new ArgumentException($"The initial model ({options.InitialModel.Kind}, {options.InitialModel.ClassCount} classes × {options.InitialModel.FeatureCount} features) does not fit a {kind} model of {classes} classes × {d} features.", nameof(options));
        }

        for (int c = 0; c < classes; c++)
        {
            Span<double> w = start.AsSpan(c * d, d);
            double b;
            if (scaling is null)
            {
                initial.Coefficients(c).CopyTo(w);
                b = initial.Intercept(c);
            }
            else
            {
                scaling.ToStandardized(initial.Coefficients(c), initial.Intercept(c), w, out b);
            }

            if (options.FitIntercept)
            {
                start[(classes * d) + c] = b;
            }
        }

        return start;
    }
}
