using FastLogReg.Numerics;
using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using FastLogReg.Data;
using FastLogReg.Internal;
using FastLogReg.Kernels;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;

namespace FastLogReg.Training;

/// <summary>
/// Trains binary logistic regression by minimizing
/// <c>f(w, b) = (1/S) Σᵢ sᵢ·[−yᵢ log σ(zᵢ) − (1−yᵢ) log(1−σ(zᵢ))] + (λ/2)‖w‖²</c>, zᵢ = wᵀxᵢ + b.
/// </summary>
public static partial class LogisticRegression
{
    /// <summary>
    /// Trains with the solver and options given (default: L-BFGS, no regularization, tolerance 10⁻⁶). Every iteration's
    /// loss and gradient come from one fused pass over the data.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="data">Validated training data.</param>
    /// <param name="options">Solver, limits, regularization, standardization, weights; null for the defaults.</param>
    /// <param name="cancellationToken">Checked once per iteration; cancellation returns the best model so far with
    /// <see cref="StopReason.Cancelled"/> rather than throwing.</param>
    /// <returns>The model (on raw features) and a report. Never a model with NaN weights.</returns>
    /// <exception cref="ArgumentException">The warm-start model does not fit the data, or balanced class weights meet a single class.</exception>
    public static TrainingResult Train<T>(Dataset<T> data, TrainingOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new TrainingOptions();
        if (FitsKClasses(data, options))
        {
            return TrainMulticlass(data, options, cancellationToken);
        }

        var stopwatch = Stopwatch.StartNew();
        int d = data.Columns;
        CheckTrainable(data, options, vectors: 1);
        FeatureScaling? scaling = options.Standardize ? FeatureScaling.Compute(data, options.MaxDegreeOfParallelism) : null;
        Penalty penalty = options.Penalty;
        Solver solver = options.Solver == Solver.Auto ? AutomaticSolver(data, options) : EffectiveSolver(options);
        // Dual coordinate descent sweeps on one thread and evaluates the objective (for its stopping rules) on another
        // meanwhile (or after each sweep, given one thread), so that runs on one thread, over as few chunks as possible;
        // nor does it build the column-major copy that makes wide sparse passes faster, which costs more (~1 s on
        // 200,000 × 10⁶) than it saves over one evaluation per sweep.
        bool dual = solver == Solver.DualCoordinateDescent;
        bool overlap = dual && (options.MaxDegreeOfParallelism ?? Environment.ProcessorCount) > 1;
        var objective = new LogisticObjective<T>(data, penalty, options.FitIntercept, options.MaxDegreeOfParallelism, widthCap: null, scaling, options.ClassWeights, columnMajor: dual ? false : null, oneThread: dual);
        using var startVector = PooledVector.Zeros(d + (options.FitIntercept ? 1 : 0)); // the solvers copy it
        Span<double> start = startVector.Span;
        StartingPoint(options, d, scaling, start);
        double? referenceNorm = null;
        if (options.InitialModel is not null)
        {
            // The tolerance is relative to ‖∇f‖ at w = 0, so that a warm start is judged exactly as a cold one.
            double[] scratch = new double[start.Length];
            objective.Evaluate(new double[start.Length], scratch);
            if (penalty.L1Strength > 0)
            {
                // OWL-QN judges the pseudo-gradient: at w = 0 the smooth gradient soft-thresholded by λρ.
                OwlQn.PseudoGradient(new double[start.Length], scratch, penalty.L1Strength, d, scratch);
            }

            referenceNorm = SmallVectors.Norm(scratch);
        }

        double columnPasses = 0;
        // Auto's dual coordinate descent gets AutoDualSweeps; if it has not converged by then, Newton finishes (below).
        bool dualFirst = HandsOverToNewton(solver, options);
        // Auto's OWL-QN gets AutoOwlQnIterations; if it has not converged by then, coordinate descent finishes (below).
        bool owlQnFirst = HandsOverToCoordinateDescent(solver, data, options);
        int firstIterations = dualFirst ? AutoDualSweeps : owlQnFirst ? AutoOwlQnIterations : options.MaxIterations;
        var rules = new StoppingRules(firstIterations, options.Tolerance, referenceNorm, options.Progress, () => objective.DataPasses + columnPasses, cancellationToken);
        // The safe bound costs a pass over the data, so only the solvers that use a rate pay for it. SGD's rate decays, so
        // it can start above the (conservative, Frobenius-norm) bound; measured on breast cancer, η₀ between 0.5 and 8 all
        // reach within 10⁻⁴ of the optimum in 300 epochs, against 3·10⁻³ for η₀ = the bound (0.13).
        double learningRate = solver is Solver.Lbfgs or Solver.Newton or Solver.NewtonCholesky or Solver.OwlQn or Solver.CoordinateDescent or Solver.DualCoordinateDescent ? double.NaN
            : options.LearningRate ?? (solver == Solver.MiniBatchSgd ? 4 : 1) * SafeLearningRate(objective);

        using ColumnCopy<T>? columns = solver == Solver.CoordinateDescent ? ColumnCopy<T>.From(data) : null;
        OptimizationResult result = solver switch
        {
            Solver.GradientDescent => GradientDescent.Minimize(objective, start, learningRate, rules),
            Solver.BacktrackingGradientDescent => BacktrackingGradientDescent.Minimize(objective, start, learningRate, rules),
            Solver.Nesterov => NesterovGradientDescent.Minimize(objective, start, learningRate, rules),
            Solver.MiniBatchSgd => MiniBatchSgd.Minimize(objective, start, learningRate, options.Schedule, Math.Max(options.L2, 1.0 / objective.TotalWeight), options.BatchSize, options.Seed, rules),
            Solver.Newton => TrustRegionNewton.Minimize(objective, start, rules),
            Solver.NewtonCholesky => NewtonCholesky.Minimize(objective, start, rules),
            Solver.OwlQn => OwlQn.Minimize(objective, start, penalty.L1Strength, d, options.LbfgsHistory, rules),
            Solver.CoordinateDescent => NewGlmnet.Minimize(
                columns!,
                data.Labels.Span,
                NormalizedRowWeights(data, options.ClassWeights),
                scaling,
                options.Lambda * options.L1Ratio,
                options.Lambda * (1 - options.L1Ratio),
                options.FitIntercept,
                start,
                rules,
                passes => columnPasses += passes,
                options.MaxDegreeOfParallelism),
            Solver.DualCoordinateDescent => DualCoordinateDescent.Minimize(
                data,
                NormalizedRowWeights(data, options.ClassWeights),
                options.L2,
                options.FitIntercept,
                scaling,
                objective,
                start,
                options.Seed,
                rules,
                passes => columnPasses += passes,
                overlap),
            _ => Lbfgs.Minimize(objective, start, options.LbfgsHistory, rules),
        };

        string? prelude = null;
        if (dualFirst && result.StopReason == StopReason.MaxIterations)
        {
            // Rows that are far from orthogonal (dense-like, or few distinct patterns) make dual coordinate descent crawl:
            // trust-region Newton takes over from its best point, with the iterations left and the same reference.
            var newtonObjective = new LogisticObjective<T>(data, penalty, options.FitIntercept, options.MaxDegreeOfParallelism, scaling, options.ClassWeights);
            double dualPasses = objective.DataPasses + columnPasses;
            var newtonRules = new StoppingRules(options.MaxIterations - result.Iterations, options.Tolerance, referenceNorm ?? result.GradientNormHistory[0], options.Progress, () => dualPasses + newtonObjective.DataPasses, cancellationToken) { Clock = rules.Clock };
            result = TrustRegionNewton.HandOver(result, newtonObjective, newtonRules);
            prelude = string.Format(CultureInfo.InvariantCulture, "Dual coordinate descent had not converged after {0} sweeps; trust-region Newton went on from its best point. ", AutoDualSweeps);
            columnPasses += newtonObjective.DataPasses;
            solver = Solver.Newton;
        }

        if (owlQnFirst && result.StopReason is StopReason.MaxIterations or StopReason.NoProgress)
        {
            // Correlated columns make OWL-QN crawl (standardized breast cancer at λ = 10⁻⁴λ_max: 3,171 iterations), and
            // a tight tolerance can stop its line search on rounding: coordinate descent, a second-order method, takes
            // over from its best point with the iterations left.
            prelude = HandOverPrelude("OWL-QN", "coordinate descent", result);
            using ColumnCopy<T> handOverColumns = ColumnCopy<T>.From(data);
            var descent = new NewGlmnet<T>(handOverColumns, data.Labels.Span, NormalizedRowWeights(data, options.ClassWeights), scaling, options.FitIntercept, options.MaxDegreeOfParallelism);
            result = NewGlmnet.HandOver(result, descent, options.Lambda * options.L1Ratio, options.Lambda * (1 - options.L1Ratio), RulesAfter(rules, options, referenceNorm, result), passes => columnPasses += passes);
            solver = Solver.CoordinateDescent;
        }

        ReadOnlySpan<double> w = result.Point.AsSpan(0, d);
        double bias = options.FitIntercept ? result.Point[d] : 0.0;
        // The model copies its weights: on raw features it takes them from the result, else through a rented vector.
        ReadOnlySpan<double> rawWeights = w;
        double rawBias = bias;
        using PooledVector? rawVector = scaling is null ? null : PooledVector.Zeros(d);
        if (rawVector is not null)
        {
            scaling!.ToRaw(w, bias, rawVector.Span, out rawBias);
            rawWeights = rawVector.Span;
        }

        var model = new LogisticModel(rawWeights, rawBias);
        StopReason reason = result.StopReason;
        if (options.L2 == 0 && reason is StopReason.Converged or StopReason.NoProgress && Separates(model, data))
        {
            reason = StopReason.Separable;
        }

        stopwatch.Stop();
        double finalLoss = result.Objective - penalty.Value(w);
        string message = prelude + Describe(result, reason, options, learningRate, data, scaling, objective.DataPasses + columnPasses, () => SafeBound(data, options, scaling));
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
        { NonZeroWeights = CountNonZeros(rawWeights) };
        return new TrainingResult(model, report) { Standardization = scaling };
    }

    /// <summary>
    /// What the report's message says first when Auto's <paramref name="first"/> solver had not converged in its allowance
    /// (or stopped making progress) and <paramref name="next"/> went on from its best point.
    /// </summary>
    internal static string HandOverPrelude(string first, string next, OptimizationResult result) => result.StopReason == StopReason.NoProgress
        ? string.Create(CultureInfo.InvariantCulture, $"{first} had not converged (it stopped making progress after {result.Iterations} iterations); {next} went on from its best point. ")
        : string.Create(CultureInfo.InvariantCulture, $"{first} had not converged after {result.Iterations} iterations; {next} went on from its best point. ");

    /// <summary>
    /// The rules of the solver that goes on from <paramref name="first"/>'s point: the iterations left, and the same
    /// reference gradient norm (the start's, when the fit was cold).
    /// </summary>
    internal static StoppingRules RulesAfter(StoppingRules rules, TrainingOptions options, double? referenceNorm, OptimizationResult first) =>
        rules with { MaxIterations = options.MaxIterations - first.Iterations, ReferenceGradientNorm = referenceNorm ?? first.GradientNormHistory[0] };

    /// <summary>The solver that runs: OWL-QN for an L1 penalty when L-BFGS (the default) is asked for; an error for a solver that cannot handle the penalty.</summary>
    internal static Solver EffectiveSolver(TrainingOptions options, bool multiclass = false)
    {
        if (options.L1Ratio == 0 || options.L2 == 0)
        {
            return options.Solver == Solver.Auto ? Solver.Lbfgs : options.Solver;
        }

        return options.Solver switch
        {
            Solver.Lbfgs or Solver.Auto => multiclass ? Solver.OwlQn : DefaultL1Solver,
            Solver.OwlQn => Solver.OwlQn,
            Solver.CoordinateDescent => Solver.CoordinateDescent,
            _ => throw new ArgumentException($"The {options.Solver} solver needs a smooth penalty, but L1Ratio = {options.L1Ratio.ToString("G6", CultureInfo.InvariantCulture)} adds λρ‖w‖₁: use CoordinateDescent or OwlQn (the default for L1 is chosen when the solver is left at Lbfgs).", nameof(options)),
        };
    }

    /// <summary>
    /// The sweeps <see cref="Solver.Auto"/> gives dual coordinate descent before trust-region Newton takes over. The
    /// synthetic text shapes converged to 10⁻⁶ in 11–37 sweeps at C = 0.1 … 100; rows far from orthogonal can need
    /// thousands (standardized breast cancer at λ = 10⁻⁴: 24,917 sweeps to 10⁻¹⁰).
    /// </summary>
    internal const int AutoDualSweeps = 100;

    /// <summary>
    /// The iterations <see cref="Solver.Auto"/> gives OWL-QN before coordinate descent takes over (dense binary data up to
    /// <see cref="CoordinateDescentValues"/>). Measured to 10⁻⁶ (--l1-iterations, λ from 1/n down to 10⁻⁴λ_max): OWL-QN
    /// converged in 9–12 iterations on i.i.d. columns (2,000 × 30 to 20,000 × 100), where it is 4–35× faster than
    /// coordinate descent; it needed 67–108 on standardized digits 3 vs 8 (as fast as coordinate descent), 116–3,171 on
    /// standardized breast cancer and 274–481 on correlated 2,000 × 100, where coordinate descent was 1.6–27× faster.
    /// </summary>
    internal const int AutoOwlQnIterations = 30;

    /// <summary>
    /// The iterations Auto's OWL-QN gets at a point of the regularization path after the first before coordinate descent
    /// takes over the rest of the path: fewer than a cold fit's <see cref="AutoOwlQnIterations"/> (which the first point
    /// gets), since each later point starts at the predictor's extrapolation with the last point's curvature pairs. Measured (--path-cost, the default 100-point paths,
    /// 30 against 20): standardized breast cancer's elastic net (ρ = ½) 1,593 → 884 passes — its points took 11–33
    /// OWL-QN iterations each where coordinate descent takes 1–4 —, its lasso 765 → 726, centred raw digits 3 vs 8
    /// 320 → 309; i.i.d. 2,000 × 30 and 20,000 × 100, whose points take at most 7, unchanged.
    /// </summary>
    internal const int AutoOwlQnPathIterations = 20;

    /// <summary>
    /// Whether <paramref name="solver"/> is Auto's OWL-QN on data coordinate descent can take (binary, dense, at most
    /// <see cref="CoordinateDescentValues"/> values), to hand over after <see cref="AutoOwlQnIterations"/> (in a fit; in the path
    /// <see cref="AutoOwlQnPathIterations"/>).
    /// </summary>
    internal static bool HandsOverToCoordinateDescent<T>(Solver solver, Dataset<T> data, TrainingOptions options)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        solver == Solver.OwlQn && options.Solver == Solver.Auto && options.Penalty.L1Strength > 0 && data.ClassCount <= 2 && options.MultiClass == MultiClass.Auto
        && data is DenseDataset<T> && (long)data.Rows * data.Columns <= CoordinateDescentValues && options.MaxIterations > AutoOwlQnIterations;

    /// <summary>Whether <paramref name="solver"/> is Auto's dual coordinate descent, to hand over to trust-region Newton after <see cref="AutoDualSweeps"/> (in a fit and in the path).</summary>
    internal static bool HandsOverToNewton(Solver solver, TrainingOptions options) =>
        solver == Solver.DualCoordinateDescent && options.Solver == Solver.Auto && options.MaxIterations > AutoDualSweeps;

    /// <summary>From this many columns (and more columns than rows, λ &gt; 0), <see cref="Solver.Auto"/> picks dual coordinate descent for sparse rows.</summary>
    internal const int WideSparseColumns = 1 << 16;

    /// <summary>The spread of column standard deviations above which <see cref="Solver.Auto"/> picks Newton.</summary>
    internal const double NewtonScaleSpread = 1e3;

    /// <summary>
    /// Up to this many features <see cref="Solver.Auto"/>'s Newton is the exact one (<see cref="Solver.NewtonCholesky"/>):
    /// its Hessian pass costs about 0.2·d + 10 gradient passes (measured). On the ill-conditioned shapes to 10⁻⁸, with
    /// trust-region Newton preconditioned by the Hessian's diagonal (one thread, medians): raw breast cancer (d = 30) 1.4×
    /// faster than trust-region Newton, correlated 200,000 × 30 1.3× (103 against 130 ms), 20,000 × 100 1.4× (66
    /// against 91 ms), 5,000 × 30 even; at d = 500 (50,000 rows) trust-region Newton is 1.8× faster (0.57 against 1.03 s).
    /// (Before that preconditioner exact Newton was 20–37× faster on the correlated sets.)
    /// </summary>
    internal const int ExactNewtonFeatures = 100;

    /// <summary>
    /// The OWL-QN iterations <see cref="Solver.Auto"/> gives a multinomial L1 / elastic-net fit (and each point of its
    /// path) before proximal Newton on the whole Hessian (K-class <see cref="Solver.CoordinateDescent"/>) takes over:
    /// (K + 1)(d + 1), about twice the gradient passes whose arithmetic one K-class Hessian holds — so the hand-over
    /// comes once OWL-QN has spent about what proximal Newton's handful of Hessians would (a rent-or-buy rule: never
    /// much more than twice the better solver's time). Measured (--trace and --path-cost, L1, one thread, with an
    /// intercept; docs/performance.md): proximal Newton is 3× faster than OWL-QN on 10-class digits at C = 100 and 7× on
    /// its path, 3.3× on 5,000 × 20 with 5 classes at C = 1, 2.6–4.3× at λ_min on 20,000 × 50 / 100 with 10 classes —
    /// and 2.3–3.8× slower at C = 1 on those, 2.5–7× on their paths, where OWL-QN converges in 139–164 iterations.
    /// </summary>
    internal static int AutoMulticlassOwlQnIterations(int classes, int columns) => (int)Math.Min(int.MaxValue, (classes + 1L) * (columns + 1L));

    /// <summary>
    /// The OWL-QN iterations Auto gives a point of a multinomial L1 path before proximal Newton takes over that point and
    /// the rest of the path: a fifth of a fit's <see cref="AutoMulticlassOwlQnIterations"/>, about two Hessians' arithmetic —
    /// along a path proximal Newton starts each point from the last one's Hessian (kept while its steps halve the
    /// pseudo-gradient), so a point costs it about one Hessian. Measured (--path-cost, the default 100-point lasso
    /// paths): 10-class digits with a fit's allowance 4.8 s (few points reached it; proximal Newton alone 0.46–0.58 s,
    /// OWL-QN 4.1 s), with this one — see docs/performance.md; 20,000 × 50 with 10 classes (OWL-QN's points take a dozen
    /// passes) keeps OWL-QN.
    /// </summary>
    internal static int AutoMulticlassOwlQnPathIterations(int classes, int columns)
    {
        int fit = AutoMulticlassOwlQnIterations(classes, columns);
        return Math.Min(fit, Math.Max(AutoOwlQnPathIterations, fit / 5));
    }

    /// <summary>
    /// Whether <paramref name="solver"/> is Auto's OWL-QN on a multinomial model whose whole Hessian proximal Newton can
    /// build, to hand over after <see cref="AutoMulticlassOwlQnIterations"/> (in a fit and at each point of a path).
    /// </summary>
    internal static bool HandsOverToProximalNewton<T>(Solver solver, Dataset<T> data, TrainingOptions options)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        solver == Solver.OwlQn && options.Solver == Solver.Auto && options.Penalty.L1Strength > 0 && FitsKClasses(data, options) && options.MultiClass != MultiClass.OneVsRest
        && (long)data.ClassCount * (data.Columns + (options.FitIntercept ? 1 : 0)) <= RegularizedObjective.MaxHessianDimension
        && options.MaxIterations > AutoMulticlassOwlQnIterations(data.ClassCount, data.Columns);

    /// <summary>
    /// The L-BFGS iterations <see cref="Solver.Auto"/> gives a K-class fit with an L2 (or no) penalty before trust-region
    /// Newton takes over (a rent-or-buy rule, as for L1: the hand-over comes once L-BFGS has spent about what Newton's
    /// whole fit would). Measured (--trace, multinomial, C = 1, with an intercept, docs/performance.md): well-conditioned
    /// shapes converge in 19–224 iterations to 10⁻⁶ (standardized 10-class digits 224, 352 to 10⁻⁸), where Newton is up
    /// to 4× slower; raw correlated columns (scales 10⁻²–10², 5 classes) took L-BFGS 10,713 iterations (17,517 passes to
    /// 10⁻⁸) against Newton's 2,000–3,100 passes, and raw 10-class digits 2,167 (6,392 passes to 10⁻⁸) against 1,800–2,500.
    /// At 200 the hand-over caught standardized digits (1.6× its passes), at 300 too to 10⁻⁸.
    /// </summary>
    internal const int AutoMulticlassLbfgsIterations = 500;

    /// <summary>
    /// The L-BFGS iterations Auto gives a point of a K-class L2 path before trust-region Newton takes over that point and
    /// the rest of the path: a fifth of a fit's <see cref="AutoMulticlassLbfgsIterations"/>. Measured (--path-points,
    /// --path-cost, the default 100-point ridge paths): the well-conditioned shapes' points take at most 32 iterations
    /// (standardized digits; 8 on the synthetic 10-class sets), the ill-conditioned ones' smaller-λ points 100–400; with 50
    /// the raw digits path took 397 ms and raw correlated columns' 232 ms, with 100 520 / 291 ms, with 200 (correlated
    /// never handed over) 428 / 349 ms, against L-BFGS alone 921 / 465 ms and Newton alone 466 / 178 ms — and Newton alone
    /// costs 2.5× / 8.5× on standardized digits / 20,000 × 50 with 10 classes. 100 keeps a margin of 3 over those.
    /// </summary>
    internal const int AutoMulticlassLbfgsPathIterations = AutoMulticlassLbfgsIterations / 5;

    /// <summary>
    /// Whether <paramref name="solver"/> is Auto's L-BFGS on a K-class model (an L2 or no penalty), to hand over to
    /// trust-region Newton after <see cref="AutoMulticlassLbfgsIterations"/> (in a path after
    /// <see cref="AutoMulticlassLbfgsPathIterations"/> at a point, Newton then fitting the rest of the path). No column
    /// scales are looked at, unlike binary Auto's rule: raw digits' spread is 277, and Newton from the start costs up to
    /// 4× on well-conditioned K-class data whatever its scales.
    /// </summary>
    /// <param name="solver">The solver the fit starts with.</param>
    /// <param name="data">The training data.</param>
    /// <param name="options">The options.</param>
    /// <param name="allowance">The iterations L-BFGS gets: a fit's <see cref="AutoMulticlassLbfgsIterations"/>, or a path point's.</param>
    internal static bool HandsOverToTrustRegionNewton<T>(Solver solver, Dataset<T> data, TrainingOptions options, int allowance = AutoMulticlassLbfgsIterations)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        solver == Solver.Lbfgs && options.Solver == Solver.Auto && FitsKClasses(data, options) && options.MaxIterations > allowance;

    /// <summary>
    /// The data-aware choice of <see cref="Solver.Auto"/> for binary data: coordinate descent for L1 / elastic net with an
    /// intercept on dense unstandardized columns that sit away from zero (<see cref="OffsetColumns"/>) or whose standard
    /// deviations span more than <see cref="NewtonScaleSpread"/> (--l1-survey, warm, to 10⁻⁶ of the optimum: raw breast
    /// cancer centred 0.2 against OWL-QN's 3.0 ms; correlated columns scaled 10⁻²–10², 1,000 × 30 to 200,000 × 30: 1.5–5.5×
    /// faster, 20,000 × 100 39.9 against 62.5 ms; on i.i.d. columns of one scale OWL-QN is 25× faster, and keeps them); Newton for an L2 (or no) penalty on
    /// unstandardized features whose columns' standard deviations span more than <see cref="NewtonScaleSpread"/>
    /// (constant columns left out) — exact Newton up to <see cref="ExactNewtonFeatures"/>
    /// features, trust-region beyond; dual coordinate descent for L2 (λ &gt; 0) on sparse rows of at least
    /// <see cref="WideSparseColumns"/> columns and more columns than rows; otherwise the data-free choice (L-BFGS, or
    /// OWL-QN for L1).
    /// </summary>
    internal static Solver AutomaticSolver<T>(Dataset<T> data, TrainingOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool multiclass = FitsKClasses(data, options);
        Solver solver = EffectiveSolver(options, multiclass);
        if (solver is not (Solver.Lbfgs or Solver.OwlQn) || options.Standardize || multiclass)
        {
            return solver;
        }

        if (solver == Solver.OwlQn)
        {
            // L1 / elastic net: coordinate descent where columns sit away from zero (the intercept's direction is
            // then nearly collinear with them, which slows OWL-QN down 18× and not coordinate descent's joint steps).
            if (!options.FitIntercept || data is not DenseDataset<T> || (long)data.Rows * data.Columns > CoordinateDescentValues)
            {
                return solver;
            }

            FeatureScaling centre = FeatureScaling.Compute(data, options.MaxDegreeOfParallelism);
            return OffsetColumns(centre) || ScaleSpread(centre) > NewtonScaleSpread ? Solver.CoordinateDescent : solver;
        }

        if (data is SparseDataset<T> && data.Columns > data.Rows && data.Columns >= WideSparseColumns && options.Lambda > 0)
        {
            // Wide sparse rows (text) with an L2 penalty: dual coordinate descent reached 10⁻⁶ of the optimum 2.2–4.5×
            // sooner than trust-region Newton (itself about 2× sooner than L-BFGS) on both synthetic text shapes at
            // C = 0.1, 1, 10 and 100 (--sparse-fit, docs/performance.md). Unpenalized, such data is almost always separable
            // (no optimum; L-BFGS finds that out in fewer passes), and the dual needs λ > 0.
            return Solver.DualCoordinateDescent;
        }

        FeatureScaling moments = FeatureScaling.Compute(data, options.MaxDegreeOfParallelism);
        return !(ScaleSpread(moments) > NewtonScaleSpread) ? Solver.Lbfgs
            : data.Columns <= ExactNewtonFeatures ? Solver.NewtonCholesky
            : Solver.Newton;
    }

    /// <summary>The largest over the smallest standard deviation of the non-constant columns (NaN when there are none).</summary>
    internal static double ScaleSpread(FeatureScaling moments)
    {
        double smallest = double.PositiveInfinity, largest = 0;
        for (int j = 0; j < moments.Columns; j++)
        {
            if (!moments.IsConstant(j))
            {
                smallest = Math.Min(smallest, moments.Scales[j]);
                largest = Math.Max(largest, moments.Scales[j]);
            }
        }

        return largest > 0 ? largest / smallest : double.NaN;
    }

    /// <summary>
    /// The solver an L1 or elastic-net penalty gets when the data is not looked at (L-BFGS named with an L1 penalty, K
    /// classes). OWL-QN, by measurement (--l1-survey, warm): on i.i.d. columns of one scale (20,000 × 100) it is 13× faster
    /// than coordinate descent (one thread, a column copy in double, against OWL-QN's fused passes on every core).
    /// <see cref="Solver.Auto"/> looks at the columns first: see <see cref="AutomaticSolver"/>.
    /// </summary>
    internal const Solver DefaultL1Solver = Solver.OwlQn;

    /// <summary>A column whose |mean| is at least this many standard deviations sits "away from zero".</summary>
    internal const double OffsetRatio = 2;

    /// <summary>Up to this many values (n·d) <see cref="Solver.Auto"/> may pick coordinate descent: its column copy in double is then at most 512 MB.</summary>
    internal const long CoordinateDescentValues = 1L << 26;

    /// <summary>
    /// Whether some non-constant column's |mean| is at least <see cref="OffsetRatio"/> standard deviations — then
    /// <see cref="Solver.Auto"/> runs L1 and elastic-net fits with an intercept by coordinate descent (unstandardized,
    /// binary, dense rows: sparse ones were not measured). Measured (--l1-survey, warm, to 10⁻⁶ of the optimum): raw
    /// breast cancer (max |μ|/σ = 8.9) 2.2 ms against OWL-QN's 410 ms; raw digits 3 vs 8 (4.7) 0.7 against 12.6 ms;
    /// correlated columns moved by 3σ, 1,000 × 30 and 20,000 × 100: 1.9 against 61.5 ms and 0.22 against 7.4 s. The same
    /// columns centred: 1.2 against 1.1 ms and 279 against 58 ms — OWL-QN needed 18–48× more iterations once the columns
    /// were moved, coordinate descent the same.
    /// </summary>
    internal static bool OffsetColumns(FeatureScaling moments)
    {
        for (int j = 0; j < moments.Means.Length; j++)
        {
            if (!moments.IsConstant(j) && Math.Abs(moments.Means[j]) >= OffsetRatio * moments.Scales[j])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>sᵢ·cw(yᵢ)/S per row: the weights of the binary loss, summing to 1.</summary>
    internal static double[] NormalizedRowWeights<T>(Dataset<T> data, ClassWeights classWeights)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (double cw0, double cw1) = classWeights.Resolve(data);
        ReadOnlySpan<T> labels = data.Labels.Span;
        ReadOnlySpan<T> sample = data.SampleWeights.Span;
        double[] s = new double[data.Rows];
        double total = 0;
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = (sample.IsEmpty ? 1.0 : double.CreateTruncating(sample[i])) * (labels[i] == T.One ? cw1 : cw0);
            total += s[i];
        }

        for (int i = 0; i < s.Length; i++)
        {
            s[i] /= total;
        }

        return s;
    }

    /// <summary>
    /// The solver training with these options runs: for an L1 or elastic-net penalty when L-BFGS is asked for, OWL-QN.
    /// </summary>
    /// <param name="options">The options.</param>
    /// <param name="classCount">The number of classes of the data (2 for binary).</param>
    /// <exception cref="ArgumentException">The solver cannot handle the penalty.</exception>
    public static Solver EffectiveSolverOf(TrainingOptions options, int classCount = 2)
    {
        ArgumentNullException.ThrowIfNull(options);
        return EffectiveSolver(options, multiclass: classCount > 2 || options.MultiClass != MultiClass.Auto);
    }

    /// <summary>
    /// The solver training on <paramref name="data"/> with these options runs — for <see cref="Solver.Auto"/> the
    /// data-aware choice (one pass over the data to measure the column scales, when Newton is possible). It is the solver
    /// a fit starts with: Auto's dual coordinate descent may hand over to trust-region Newton, and its OWL-QN to
    /// coordinate descent, if they have not converged in their allowance (the report names the solver that finished).
    /// </summary>
    /// <param name="data">The training data.</param>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentException">The solver cannot handle the penalty.</exception>
    public static Solver EffectiveSolverOf<T>(Dataset<T> data, TrainingOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        return options.Solver == Solver.Auto ? AutomaticSolver(data, options) : EffectiveSolver(options, multiclass: FitsKClasses(data, options));
    }

    /// <summary>Whether a fit (a path, a cross-validation) on this data is of a K-class model: more than two classes, or a K-class kind asked for.</summary>
    internal static bool FitsKClasses<T>(Dataset<T> data, TrainingOptions options)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        data.ClassCount > 2 || options.MultiClass != MultiClass.Auto;

    internal static int CountNonZeros(ReadOnlySpan<double> weights)
    {
        int count = 0;
        foreach (double v in weights)
        {
            count += v != 0 ? 1 : 0;
        }

        return count;
    }

    /// <summary>
    /// A learning rate for which fixed-step gradient descent decreases the objective every step:
    /// η = 1/L with L = ‖X̃‖²_F/(4S) + λ ≥ the Lipschitz constant of ∇f, where X̃ is X with a column of ones when the
    /// intercept is fitted and rows are weighted by sᵢ (the Frobenius norm bounds the spectral norm). That is
    /// η = 4/(‖X̃‖²_F/S + 4λ).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="data">The training data (raw features, sample weights).</param>
    /// <param name="l2">λ ≥ 0.</param>
    /// <param name="fitIntercept">Whether the intercept is fitted.</param>
    public static double SafeLearningRate<T>(Dataset<T> data, double l2 = 0, bool fitIntercept = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        return SafeLearningRate(new LogisticObjective<T>(data, l2, fitIntercept, maxDegreeOfParallelism: 1));
    }

    /// <summary>The safe learning rate 1/L for an objective, including its standardization and class weights.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="objective">The objective.</param>
    public static double SafeLearningRate<T>(LogisticObjective<T> objective)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(objective);
        Dataset<T> data = objective.Data;
        FeatureScaling? scaling = objective.Scaling;
        int d = data.Columns;

        // Σᵢ sᵢ‖x̃ᵢ‖² in units of a power of two u ≥ max |x̃| (exact scaling), so that data of any finite scale sums
        // without overflow; L = u²·Σ/(4S) + (the penalty's curvature).
        double largest = scaling is null ? data.MaxMagnitude : 0;
        if (scaling is not null)
        {
            for (int j = 0; j < d; j++)
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
            total += layout.WeightedSquaredNorms(start, count, scaling is null ? default : scaling.Means, scaling is null ? default : scaling.Scales, unit, intercept, [objective.Loss.ClassWeight0, objective.Loss.ClassWeight1]);
        }

        double lipschitz = (unit * unit * (total / (4.0 * objective.TotalWeight))) + objective.Penalty.CurvatureBound;
        double rate = 1.0 / lipschitz;
        if (!(rate > 0 && double.IsFinite(rate)))
        {
            throw new ArgumentException(
                string.Format(CultureInfo.InvariantCulture, "The safe learning rate 1/L is not representable for this data (features up to {0:G3} in magnitude give L = {1:G3}): standardize the features (Standardize = true) or rescale them.", largest, lipschitz),
                nameof(objective));
        }

        return rate;
    }

    /// <summary>
    /// Refuses, before allocating, a problem whose per-feature state would not fit in memory: the objective's per-chunk
    /// gradients, the solver's vectors (L-BFGS keeps 2 × history), the scaling and the model — each d + 1 doubles.
    /// </summary>
    /// <summary>Refuses data the arithmetic cannot carry and problems whose per-feature state cannot fit in memory.</summary>
    /// <param name="data">The data.</param>
    /// <param name="options">The options.</param>
    /// <param name="vectors">Rows of d coefficients per vector: 1 for a binary model, K for K classes.</param>
    private static void CheckTrainable<T>(Dataset<T> data, TrainingOptions options, int vectors)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RequireMemory(data, options, vectors);
        if (options.Solver == Solver.DualCoordinateDescent)
        {
            if (!(options.L2 > 0))
            {
                throw new ArgumentException("The DualCoordinateDescent solver needs an L2 penalty (Lambda > 0): without one the dual has no bound on its variables. Use Newton or L-BFGS.", nameof(options));
            }
        }

        if (options.Solver == Solver.NewtonCholesky && data.Columns > MaxNewtonCholeskyFeatures)
        {
            throw new ArgumentException($"The NewtonCholesky solver builds the whole (d + 1)² Hessian: at most {MaxNewtonCholeskyFeatures:N0} features, and the data has {data.Columns:N0}. Use Newton (trust-region, Hessian-vector products only) or L-BFGS.", nameof(options));
        }

        if (!options.Standardize)
        {
            const string Advice = "Set Standardize = true (CLI: --standardize), which trains on (x − μ)/σ and returns the same model on raw features, or rescale the column.";
            Data.Magnitudes.ThrowIfBeyond(data, Data.Magnitudes.RawLimit, Advice, nameof(data));
            if (data.MaxMagnitude is > 0 and < 1 / Data.Magnitudes.RawLimit)
            {
                throw new ArgumentException($"Every feature is below {1 / Data.Magnitudes.RawLimit:G3} in magnitude (the largest is {data.MaxMagnitude:G3}): the gradient would vanish below rounding and training would stop at w = 0. {Advice}", nameof(data));
            }
        }
    }

    /// <summary>The most features <see cref="Solver.NewtonCholesky"/> takes (its Hessian has (d + 1)² entries).</summary>
    public const int MaxNewtonCholeskyFeatures = RegularizedObjective.MaxHessianDimension - 1;

    private static void RequireMemory<T>(Dataset<T> data, TrainingOptions options, int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int chunks = FeatureLayout<T>.For(data).Partition.ChunkCount;
        long vectors = chunks + 16 + (options.Solver is Solver.Lbfgs or Solver.Auto ? 2L * options.LbfgsHistory : 0) + (options.Solver == Solver.Auto ? 2L * chunks + 8 : 0) + (options.Solver == Solver.Newton ? 2L * chunks + 8 : 0);
        long bytes = vectors * rows * (data.Columns + 16L) * sizeof(double);
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (bytes > available * 3 / 4)
        {
            throw new ArgumentException(
                string.Format(CultureInfo.InvariantCulture, "Training on {0:N0} features needs about {1:G3} GB for its per-feature vectors ({2} of them), more than the {3:G3} GB of memory available. Reduce the number of features (or, for L-BFGS, LbfgsHistory).", data.Columns, bytes / 1e9, vectors, available / 1e9),
                nameof(data));
        }
    }

    /// <summary>Writes the starting point into <paramref name="start"/> (zeros on entry): the initial model's, or w = 0.</summary>
    private static void StartingPoint(TrainingOptions options, int d, FeatureScaling? scaling, Span<double> start)
    {
        if (options.InitialModel is null)
        {
            return;
        }

        if (options.InitialModel is not LogisticModel initial)
        {
            throw new ArgumentException($"The initial model is a {options.InitialModel.Kind} model of {options.InitialModel.ClassCount} classes, but a binary model is being trained.", nameof(options));
        }

        if (initial.FeatureCount != d)
        {
            throw new ArgumentException($"The initial model has {initial.FeatureCount} weights but the data has {d} columns.", nameof(options));
        }

        if (!options.FitIntercept && scaling is null && initial.Bias != 0)
        {
            throw new ArgumentException($"The initial model has bias {initial.Bias} but FitIntercept is false, which fixes b = 0.", nameof(options));
        }

        if (scaling is null)
        {
            initial.Weights.CopyTo(start);
            if (options.FitIntercept)
            {
                start[d] = initial.Bias;
            }
        }
        else
        {
            scaling.ToStandardized(initial.Weights, initial.Bias, start[..d], out double b);
            if (options.FitIntercept)
            {
                start[d] = b;
            }
        }
    }

    /// <summary>
    /// How the K-class model separates the data, or null: for a multinomial model, every positively weighted row
    /// classified correctly (then scaling the model up lowers the loss for ever); for either kind, one class's rows cut
    /// from all the others' by one hyperplane — the class's score against the others' mean (multinomial) or its own
    /// score (one-vs-rest) positive on each of its rows and negative on every other (then moving that class's weights
    /// along it does). Either way the unpenalized loss has no minimum. (For one-vs-rest, every row right by the largest
    /// score proves nothing: three classes in 120° sectors are each inseparable from the other two.)
    /// </summary>
    internal static string? Separation<T>(MulticlassModel model, Dataset<T> data)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = model.ClassCount, d = model.FeatureCount;
        bool oneVsRest = model.Kind == ClassificationKind.OneVsRest;
        if (!oneVsRest && EveryRowRight(model.Evaluate(data).ConfusionMatrix))
        {
            return "the model classifies every row correctly";
        }

        double[] direction = new double[d];
        for (int c = 0; c < k; c++)
        {
            model.Coefficients(c).CopyTo(direction);
            double bias = model.Intercept(c);
            if (!oneVsRest)
            {
                for (int l = 0; l < k; l++)
                {
                    if (l != c)
                    {
                        TensorPrimitives.MultiplyAdd(model.Coefficients(l), -1.0 / (k - 1), direction, direction);
                        bias -= model.Intercept(l) / (k - 1);
                    }
                }
            }

            if (Separates(new LogisticModel(direction, bias), data, T.CreateTruncating(c)))
            {
                return string.Create(CultureInfo.InvariantCulture, $"class {c}'s rows are cut from all the others' by one hyperplane (the model's class-{c} score against the rest)");
            }
        }

        return null;
    }

    /// <summary>Whether no weight is off the diagonal (a weighted accuracy of 1 can round a 10⁻¹⁷ weight away).</summary>
    private static bool EveryRowRight(double[,] confusion)
    {
        for (int a = 0; a < confusion.GetLength(0); a++)
        {
            for (int p = 0; p < confusion.GetLength(1); p++)
            {
                if (a != p && confusion[a, p] != 0)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Whether the model's score is positive on every positively weighted row of class <paramref name="positive"/> (1 by default) and negative on every other.</summary>
    internal static bool Separates<T>(LogisticModel model, Dataset<T> data, T? positive = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T one = positive ?? T.One;
        var layout = FeatureLayout<T>.For(data);
        double[] z = ArrayPool<double>.Shared.Rent(Math.Min(data.Rows, 4096));
        try
        {
            ReadOnlySpan<T> y = data.Labels.Span;
            ReadOnlySpan<T> s = data.SampleWeights.Span;
            for (int start = 0; start < data.Rows; start += 4096)
            {
                int count = Math.Min(4096, data.Rows - start);
                layout.Margins(start, count, model.Weights, model.Bias, z.AsSpan(0, count));
                for (int k = 0; k < count; k++)
                {
                    int i = start + k;
                    bool counts = !data.HasSampleWeights || s[i] > T.Zero;
                    bool correct = y[i] == one ? z[k] > 0 : z[k] < 0;
                    if (counts && !correct)
                    {
                        return false;
                    }
                }
            }

            return true;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(z);
        }
    }

    // separation: for Separable on K classes, how the model separates the data (Separation); null for the binary wording.
    private static string Describe<T>(OptimizationResult result, StopReason reason, TrainingOptions options, double learningRate, Dataset<T> data, FeatureScaling? scaling, double passes, Func<double> safeBound, string? separation = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var c = CultureInfo.InvariantCulture;
        string norm = string.Format(c, "‖∇f‖ = {0:G3}", result.GradientNorm);
        string threshold = string.Format(c, "{0:G3} (= Tolerance {1:G3} · max(1, ‖∇f(0)‖))", result.ConvergenceThreshold, options.Tolerance);
        string work = string.Format(c, "{0} iterations, {1:G4} passes over the data", result.Iterations, passes);
        switch (reason)
        {
            case StopReason.Converged:
                return string.Format(c, "Converged after {0}: {1} ≤ {2}; objective {3:G10}.", work, norm, threshold, result.Objective);

            case StopReason.Separable when separation is not null:
                return string.Format(
                    c,
                    "Stopped after {0}: {1} and L2 = 0, so the loss has no minimum (it only falls as the weights grow without bound). Set L2 > 0 for a unique, finite model. Objective {2:G6}, {3}.",
                    work,
                    separation,
                    result.Objective,
                    norm);

            case StopReason.Separable:
                return string.Format(
                    c,
                    "Stopped after {0}: the model classifies every training row correctly and L2 = 0, so the classes are linearly separable and the loss has no minimum (it only approaches 0 as ‖w‖ grows without bound). Set L2 > 0 for a unique, finite model. Objective {1:G6}, {2}.",
                    work,
                    result.Objective,
                    norm);

            case StopReason.Diverged when double.IsNaN(learningRate):
                return string.Format(
                    c,
                    "Diverged at iteration {0}: the objective or its gradient became NaN or infinite (went from {1:G6} to {2:G6}); check the data for extreme values. Returned the best model seen (iteration {3}, objective {4:G8}).",
                    result.ObjectiveHistory.Count - 1,
                    result.ObjectiveHistory[0],
                    result.ObjectiveHistory[^1],
                    result.ReturnedIteration,
                    result.Objective);

            case StopReason.Diverged:
                return string.Format(
                    c,
                    "Diverged at iteration {0}: the objective went from {1:G6} to {2:G6}. The learning rate {3:G3} is too large for this data; the safe bound is {4:G3} (LogisticRegression.SafeLearningRate), or use the L-BFGS or backtracking solver, which need none. Returned the best model seen (iteration {5}, objective {6:G8}).",
                    result.ObjectiveHistory.Count - 1,
                    result.ObjectiveHistory[0],
                    result.ObjectiveHistory[^1],
                    learningRate,
                    safeBound(),
                    result.ReturnedIteration,
                    result.Objective);

            case StopReason.Cancelled:
                return string.Format(c, "Cancelled after {0}; returned the best model seen (iteration {1}, objective {2:G8}, {3}).", work, result.ReturnedIteration, result.Objective, norm);

            default:
                string what = reason == StopReason.MaxIterations
                    ? string.Format(c, "reached MaxIterations = {0}", options.MaxIterations)
                    : "the objective stopped decreasing (no step improves it beyond rounding)";
                return string.Format(
                    c,
                    "Not converged: {0} after {1}, with {2} > {3}; objective {4:G10}. To converge: {5}",
                    what,
                    work,
                    norm,
                    threshold,
                    result.Objective,
                    Advice(reason, options, data, scaling));
        }
    }

    private static double SafeBound<T>(Dataset<T> data, TrainingOptions options, FeatureScaling? scaling)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        SafeLearningRate(new LogisticObjective<T>(data, Penalty.L2(options.L2), options.FitIntercept, 1, scaling, options.ClassWeights));

    private static string Advice<T>(StopReason reason, TrainingOptions options, Dataset<T> data, FeatureScaling? scaling)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var c = CultureInfo.InvariantCulture;
        var advice = new List<string>();
        if (reason == StopReason.MaxIterations)
        {
            advice.Add(string.Format(c, "raise MaxIterations (now {0})", options.MaxIterations));
        }

        if (scaling is null)
        {
            FeatureScaling spread = FeatureScaling.Compute(data, options.MaxDegreeOfParallelism);
            double largest = 0, smallest = double.PositiveInfinity;
            foreach (double sd in spread.Scales)
            {
                largest = Math.Max(largest, sd);
                smallest = Math.Min(smallest, sd);
            }

            double orders = Math.Log10(largest / smallest);
            advice.Add(orders >= 1
                ? string.Format(c, "standardize the features (Standardize = true): their standard deviations span {0:F1} orders of magnitude, which makes the problem ill-conditioned", orders)
                : "standardize the features (Standardize = true) if their scales differ");
        }

        if (options.Solver is Solver.GradientDescent or Solver.Nesterov or Solver.MiniBatchSgd)
        {
            advice.Add("use the default L-BFGS solver, which needs far fewer passes and no learning rate");
        }

        if (options.Solver == Solver.DualCoordinateDescent)
        {
            advice.Add("use Newton or L-BFGS: dual coordinate descent is slow on dense, correlated or weakly regularized rows");
        }

        if (options.L2 == 0)
        {
            advice.Add("add a little L2 regularization, which makes the optimum unique and better conditioned");
        }

        advice.Add(string.Format(c, "or loosen Tolerance (now {0:G3})", options.Tolerance));
        return string.Join("; ", advice) + ".";
    }
}
