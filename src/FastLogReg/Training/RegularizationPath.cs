using System.Numerics;
using System.Numerics.Tensors;
using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;

namespace FastLogReg.Training;

/// <summary>One point of a regularization path: the model fitted at one λ.</summary>
/// <param name="Lambda">λ.</param>
/// <param name="Classifier">The model (raw features): a <see cref="LogisticModel"/> for binary data, a <see cref="MulticlassModel"/> for K classes.</param>
/// <param name="Objective">The objective at the model.</param>
/// <param name="NonZeroWeights">Weights not exactly zero (K × d of them for K classes).</param>
/// <param name="Iterations">Solver iterations at this λ.</param>
/// <param name="DataPasses">Passes over the data at this λ.</param>
/// <param name="StopReason">Why the solver stopped at this λ.</param>
public sealed record PathPoint(double Lambda, ClassificationModel Classifier, double Objective, int NonZeroWeights, int Iterations, double DataPasses, StopReason StopReason)
{
    /// <summary>The binary model.</summary>
    /// <exception cref="InvalidOperationException">The path is of K classes: use <see cref="Multiclass"/>.</exception>
    public LogisticModel Model => Classifier as LogisticModel
        ?? throw new InvalidOperationException($"This path point holds a {Classifier.ClassCount}-class {Classifier.Kind} model: use Multiclass (or Classifier).");

    /// <summary>The K-class model.</summary>
    /// <exception cref="InvalidOperationException">The path is binary: use <see cref="Model"/>.</exception>
    public MulticlassModel Multiclass => Classifier as MulticlassModel
        ?? throw new InvalidOperationException("This path point holds a binary model: use Model (or Classifier).");
}

/// <summary>How the λ values of a path are chosen.</summary>
public sealed record PathOptions
{
    /// <summary>The number of λ values from λ_max down, ≥ 1. Default 100 (glmnet's).</summary>
    public int Count
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Count), value, "A path needs at least one λ.");
    }

        = 100;

    /// <summary>λ_min/λ_max in (0, 1]; null for glmnet's default: 10⁻⁴ when there are more rows than features, else 10⁻².</summary>
    public double? MinRatio
    {
        get;
        init => field = value is null || (value > 0 && value <= 1) ? value : throw new ArgumentOutOfRangeException(nameof(MinRatio), value, "MinRatio must be in (0, 1].");
    }

    /// <summary>Explicit λ values (each finite and ≥ 0), fitted in decreasing order; null to use <see cref="Count"/> and <see cref="MinRatio"/>.</summary>
    public IReadOnlyList<double>? Lambdas
    {
        get;
        init => field = value is null || value.All(v => v >= 0 && double.IsFinite(v)) && value.Count > 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Lambdas), "Every λ must be finite and ≥ 0, and there must be at least one.");
    }
}

/// <summary>
/// The regularization path: models for a decreasing sequence of λ from λ_max — the smallest λ at which every weight is
/// zero — down, each warm-started from the previous one (as glmnet and scikit-learn's <c>l1_min_c</c> paths do).
/// </summary>
public sealed partial class RegularizationPath
{
    private RegularizationPath(double lambdaMax, double interceptOnlyBias, IReadOnlyList<PathPoint> points)
    {
        LambdaMax = lambdaMax;
        InterceptOnlyBias = interceptOnlyBias;
        Points = points;
    }

    /// <summary>
    /// λ_max = ‖∇_w loss(0, b*)‖_∞ / max(ρ, 10⁻³): for an L1 share ρ &gt; 0, the smallest λ whose optimum has w = 0
    /// (for ρ = 0, glmnet's convention of computing it as if ρ were 10⁻³).
    /// </summary>
    public double LambdaMax { get; }

    /// <summary>b*, the optimum of the intercept-only model (log(ȳ/(1 − ȳ)) with ȳ the weighted share of class 1); for K classes NaN (see <see cref="InterceptOnlyBiases"/>).</summary>
    public double InterceptOnlyBias { get; }

    /// <summary>For K classes, the intercept-only model's K intercepts (the log of each class's weighted share, centred; one-vs-rest: each class's log-odds); empty for binary data.</summary>
    public IReadOnlyList<double> InterceptOnlyBiases { get; private init; } = [];

    /// <summary>The fitted points, λ decreasing.</summary>
    public IReadOnlyList<PathPoint> Points { get; }

    /// <summary>Fits the path.</summary>
    /// <param name="data">
    /// The data: two classes, or K (a multinomial path, or one-vs-rest with <see cref="MultiClass.OneVsRest"/>, as
    /// <see cref="LogisticRegression.Train{T}(Dataset{T}, TrainingOptions, CancellationToken)"/> decides; λ_max is then
    /// the largest |∂/∂Wₖⱼ| at the intercept-only optimum, and every point is fitted by L-BFGS, or OWL-QN for ρ &gt; 0).
    /// </param>
    /// <param name="options">
    /// The penalty's L1 share (<see cref="TrainingOptions.L1Ratio"/>), tolerance, iterations per λ, standardization,
    /// class weights, intercept, threads and progress (every point's iterations are reported, numbered from 0 at each λ);
    /// its λ and warm start are ignored. The solver a fit on this data would run
    /// (for <see cref="Solver.Auto"/>: coordinate descent or OWL-QN for ρ &gt; 0 — OWL-QN handing over to coordinate descent, for
    /// this point and the rest, at the first point it has not finished in 20 iterations (30 at the path's first point) — L-BFGS, Newton or dual coordinate descent
    /// otherwise — the dual handing over to trust-region Newton after its sweep allowance, as in a fit; a λ of 0, which
    /// has no dual, is fitted by trust-region Newton).
    /// </param>
    /// <param name="path">The λ values; null for glmnet's defaults (100 values down to 10⁻⁴·λ_max).</param>
    /// <param name="cancellationToken">Stops between and within fits.</param>
    /// <returns>The path.</returns>
    public static RegularizationPath Compute<T>(Dataset<T> data, TrainingOptions options, PathOptions? path = null, CancellationToken cancellationToken = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        path ??= new PathOptions();
        if (LogisticRegression.FitsKClasses(data, options))
        {
            return ComputeMulticlass(data, options, path, cancellationToken);
        }

        Solver solver = LogisticRegression.EffectiveSolverOf(data, options with { Lambda = 1 }); // Auto: the choice a fit on this data makes
        if (solver is not (Solver.CoordinateDescent or Solver.OwlQn or Solver.Lbfgs or Solver.Newton or Solver.NewtonCholesky or Solver.DualCoordinateDescent))
        {
            throw new ArgumentException($"The path uses coordinate descent, OWL-QN, L-BFGS, Newton, NewtonCholesky or dual coordinate descent; {options.Solver} is not supported here.", nameof(options));
        }

        int d = data.Columns;
        FeatureScaling? scaling = options.Standardize ? FeatureScaling.Compute(data, options.MaxDegreeOfParallelism) : null;
        var smooth = new LogisticObjective<T>(data, Penalty.None, options.FitIntercept, options.MaxDegreeOfParallelism, scaling, options.ClassWeights);
        int dimension = smooth.Dimension;

        // ∇ at (0, 0): the reference of the convergence test (as a cold Train has), and at (0, b*): λ_max.
        double[] g0 = new double[dimension];
        smooth.Evaluate(new double[dimension], g0);
        double bStar = options.FitIntercept ? InterceptOnly(smooth, g0[d]) : 0;
        double[] start = new double[dimension];
        if (options.FitIntercept)
        {
            start[d] = bStar;
        }

        double[] gStar = new double[dimension];
        smooth.Evaluate(start, gStar);
        double lambdaMax = LambdaMaxOf(gStar.AsSpan(0, d), options.L1Ratio);

        double[] lambdas = Grid(path, lambdaMax, data.Rows > d);
        // Coordinate descent keeps one column copy and its state for the whole path: each point starts from the margins and
        // gradient sums where the last one converged, and screens the columns by the strong rule.
        // Auto's OWL-QN hands a point it has not finished in AutoOwlQnPathIterations (the first point, a cold start:
        // AutoOwlQnIterations, as Train) over to coordinate descent, which then fits the rest of the path (λ falling, the
        // problems only get harder).
        bool owlQnFirst = LogisticRegression.HandsOverToCoordinateDescent(solver, data, options with { Lambda = 1 });
        using var columns = new LazyColumnCopy<T>(data, solver == Solver.CoordinateDescent);
        NewGlmnet<T>? coordinateDescent = null;
        NewGlmnet<T> CoordinateDescent() => coordinateDescent ??=
            new NewGlmnet<T>(columns.Value, data.Labels.Span, LogisticRegression.NormalizedRowWeights(data, options.ClassWeights), scaling, options.FitIntercept, options.MaxDegreeOfParallelism);
        double[]? rowWeights = solver == Solver.DualCoordinateDescent ? LogisticRegression.NormalizedRowWeights(data, options.ClassWeights) : null;
        bool dualFirst = LogisticRegression.HandsOverToNewton(solver, options);
        double? previousL1 = null;

        // L-BFGS and OWL-QN carry their curvature pairs from point to point: the loss's curvature does not depend on λ,
        // and the L2 term's share of each pair is shifted to the new λ₂ (CurvatureMemory.ShiftL2).
        CurvatureMemory? pairs = solver is Solver.OwlQn or Solver.Lbfgs ? new CurvatureMemory(dimension, options.LbfgsHistory) : null;
        double previousL2 = 0;
        var points = new List<PathPoint>(lambdas.Length);
        double[] reference = new double[dimension];

        // L-BFGS, OWL-QN and both Newtons start each point from the path's predictor (coordinate descent has its own, which
        // checks the objective with its row terms): the last solution moved along the polynomial through the ones before
        // it. The dual coordinate descent starts from its own dual variables.
        PathPredictor? predictor = solver is Solver.OwlQn or Solver.Lbfgs or Solver.Newton or Solver.NewtonCholesky ? new PathPredictor(d, smooth: options.L1Ratio == 0) : null;
        double[] predicted = new double[dimension], origin = new double[dimension];
        double solvedLambda = double.NaN;
        foreach (double lambda in lambdas)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Penalty penalty = Penalty.ElasticNet(lambda, options.L1Ratio);
            LogisticObjective<T> objective = smooth.WithPenalty(penalty); // the same rows' sums (and sparse column copy) for every λ
            OwlQn.PseudoGradient(origin, g0, penalty.L1Strength, d, reference);
            double l2 = lambda * (1 - options.L1Ratio);
            pairs?.ShiftL2(l2 - previousL2, d);
            previousL2 = l2;
            double columnPasses = 0;
            bool owlQnPoint = owlQnFirst && coordinateDescent is null;
            int owlQnIterations = points.Count == 0 ? LogisticRegression.AutoOwlQnIterations : LogisticRegression.AutoOwlQnPathIterations; // the first point starts cold
            var rules = new StoppingRules(owlQnPoint ? owlQnIterations : options.MaxIterations, options.Tolerance, TensorPrimitives.Norm<double>(reference), options.Progress, () => objective.DataPasses + columnPasses, cancellationToken);
            OptimizationResult DualThenNewton(StoppingRules all)
            {
                // As Train does for Auto: the dual gets AutoDualSweeps, then trust-region Newton goes on if it has not converged.
                OptimizationResult dual = DualCoordinateDescent.Minimize(data, rowWeights!, lambda, options.FitIntercept, scaling, objective, start, options.Seed, all with { MaxIterations = LogisticRegression.AutoDualSweeps }, passes => columnPasses += passes, overlap: false);
                return dual.StopReason == StopReason.MaxIterations
                    ? TrustRegionNewton.HandOver(dual, objective, all with { MaxIterations = options.MaxIterations - dual.Iterations })
                    : dual;
            }

            double[] from = predictor is not null && coordinateDescent is null ? predictor.StartFor(start, solvedLambda, lambda, predicted) : start;

            solvedLambda = lambda;
            OptimizationResult result = (coordinateDescent is not null ? Solver.CoordinateDescent : solver) switch
            {
                Solver.CoordinateDescent => CoordinateDescent().Minimize(lambda * options.L1Ratio, lambda * (1 - options.L1Ratio), start, rules, passes => columnPasses += passes, previousL1, TensorPrimitives.SumOfMagnitudes<double>(reference)),
                Solver.OwlQn when penalty.L1Strength > 0 => OwlQn.Minimize(objective, from, penalty.L1Strength, d, options.LbfgsHistory, rules, pairs),
                Solver.Newton => TrustRegionNewton.Minimize(objective, from, rules),
                Solver.DualCoordinateDescent when lambda == 0 => TrustRegionNewton.Minimize(objective, start, rules), // no dual without a penalty
                Solver.DualCoordinateDescent when dualFirst => DualThenNewton(rules),
                Solver.DualCoordinateDescent => DualCoordinateDescent.Minimize(data, rowWeights!, lambda, options.FitIntercept, scaling, objective, start, options.Seed, rules, passes => columnPasses += passes, overlap: false),
                Solver.NewtonCholesky => NewtonCholesky.Minimize(objective, from, rules),
                _ => Lbfgs.Minimize(objective, from, options.LbfgsHistory, rules, pairs),
            };

            if (owlQnPoint && result.StopReason is StopReason.MaxIterations or StopReason.NoProgress)
            {
                var descentRules = rules with { MaxIterations = options.MaxIterations - result.Iterations };
                result = NewGlmnet.HandOver(result, CoordinateDescent(), lambda * options.L1Ratio, lambda * (1 - options.L1Ratio), descentRules, passes => columnPasses += passes);
            }

            result.Point.CopyTo(start, 0);
            previousL1 = lambda * options.L1Ratio;
            double[] raw = new double[d];
            double bias = options.FitIntercept ? result.Point[d] : 0;
            if (scaling is null)
            {
                result.Point.AsSpan(0, d).CopyTo(raw);
            }
            else
            {
                scaling.ToRaw(result.Point.AsSpan(0, d), bias, raw, out bias);
            }

            points.Add(new PathPoint(lambda, new LogisticModel(raw, bias), result.Objective, LogisticRegression.CountNonZeros(result.Point.AsSpan(0, d)), result.Iterations, objective.DataPasses + columnPasses, result.StopReason));
        }

        return new RegularizationPath(lambdaMax, bStar, points);
    }

    /// <summary>
    /// ‖g‖_∞ / max(ρ, 10⁻³) for the weights' gradient g at the intercept-only model; 0 when that is not positive (no
    /// feature correlates with the residuals: every λ gives zero weights).
    /// </summary>
    private static double LambdaMaxOf(ReadOnlySpan<double> weightGradient, double l1Ratio)
    {
        double lambdaMax = Math.Abs(TensorPrimitives.MaxMagnitude(weightGradient)) / Math.Max(l1Ratio, 1e-3);
        return lambdaMax > 0 ? lambdaMax : 0;
    }

    /// <summary>The λ values, decreasing: explicit, or <c>Count</c> values spaced evenly in log from λ_max to λ_max·MinRatio.</summary>
    internal static double[] Grid(PathOptions path, double lambdaMax, bool moreRowsThanFeatures)
    {
        if (path.Lambdas is { } explicitValues)
        {
            return [.. explicitValues.OrderDescending()];
        }

        double ratio = path.MinRatio ?? (moreRowsThanFeatures ? 1e-4 : 1e-2);
        double[] grid = new double[path.Count];
        for (int k = 0; k < grid.Length; k++)
        {
            grid[k] = grid.Length == 1 ? lambdaMax : lambdaMax * Math.Pow(ratio, (double)k / (grid.Length - 1));
        }

        return grid;
    }

    /// <summary>
    /// b* minimizing the loss of the intercept-only model, log(ȳ/(1 − ȳ)) with ȳ the weighted share of class 1 — read off
    /// the gradient at (0, 0), which is ½ − ȳ.
    /// </summary>
    private static double InterceptOnly<T>(LogisticObjective<T> smooth, double gradientAtZero)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // ∂loss/∂b at (0, b) = σ(b) − ȳ (weighted): at b = 0 it is ½ − ȳ, so ȳ = ½ − g.
        double share = 0.5 - gradientAtZero;
        if (!(share > 0 && share < 1))
        {
            throw new ArgumentException("The data has a single class (after weighting): there is no path to fit.");
        }

        return Math.Log(share / (1 - share));
    }

    /// <summary>The column copy coordinate descent sweeps, made on first use (or at once) and returned to the pool with the path.</summary>
    private sealed class LazyColumnCopy<T>(Dataset<T> data, bool now) : IDisposable
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private ColumnCopy<T>? _copy = now ? ColumnCopy<T>.From(data) : null;

        public ColumnCopy<T> Value => _copy ??= ColumnCopy<T>.From(data);

        public void Dispose() => _copy?.Dispose();
    }
}
