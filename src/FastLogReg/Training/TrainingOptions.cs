using FastLogReg.Internal;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;

namespace FastLogReg.Training;

/// <summary>
/// How to train: an immutable record, validated as each property is set (also through <c>with</c>), so an invalid
/// option fails where it is written, with a message naming it.
/// </summary>
public sealed record TrainingOptions
{
    private readonly double? _learningRate;
    private readonly int _maxIterations = 1000;
    private readonly double _l2;
    private readonly double _tolerance = 1e-6;
    private readonly int? _maxDegreeOfParallelism;
    private readonly int _lbfgsHistory = 10;
    private readonly int _batchSize = 256;
    private readonly ClassWeights _classWeights = ClassWeights.None;

    /// <summary>The optimization method. Default <see cref="Training.Solver.Auto"/> (L-BFGS; Newton for raw features of very different scales; OWL-QN for L1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined <see cref="Training.Solver"/> (a cast integer, say).</exception>
    public Solver Solver
    {
        get;
        init => field = Enum.IsDefined(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Solver), value, $"{(int)value} is not a Solver; use one of {string.Join(", ", Enum.GetNames<Solver>())}.");
    }

        = Solver.Auto;

    /// <summary>
    /// η, the step of fixed-step gradient descent and Nesterov, and the initial rate η₀ of mini-batch SGD; finite and &gt; 0.
    /// Default null: the safe bound <c>LogisticRegression.SafeLearningRate</c> = 1/L for the data, with which
    /// gradient descent decreases the objective every step (4/L for mini-batch SGD, whose rate then decays).
    /// Backtracking uses it as its first trial step; L-BFGS ignores it.
    /// </summary>
    public double? LearningRate
    {
        get => _learningRate;
        init => _learningRate = value is null || (double.IsFinite(value.Value) && value.Value > 0)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(LearningRate), value, "LearningRate must be a finite number greater than 0 (or null for the safe bound).");
    }

    /// <summary>
    /// The most iterations, ≥ 0 (0 only evaluates the start): gradient steps for the gradient methods, quasi-Newton
    /// steps for L-BFGS (each may take several passes for its line search), epochs for mini-batch SGD. Default 1000.
    /// </summary>
    public int MaxIterations
    {
        get => _maxIterations;
        init => _maxIterations = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxIterations), value, "MaxIterations must be 0 or more.");
    }

    /// <summary>
    /// λ ≥ 0, the regularization strength: the objective is mean cross-entropy + λ(ρ‖w‖₁ + (1 − ρ)/2·‖w‖²) with ρ =
    /// <see cref="L1Ratio"/> (default 0: the L2 penalty (λ/2)‖w‖²); the intercept is never penalized. Default 0.
    /// scikit-learn's <c>C</c> corresponds to λ = 1/(C·S); see <see cref="L2FromScikitLearnC"/>. The same value as
    /// <see cref="Lambda"/> (named for the default penalty).
    /// </summary>
    public double L2
    {
        get => _l2;
        init
        {
            Require.L2(value, nameof(L2));
            _l2 = value;
        }
    }

    /// <summary>λ ≥ 0, the regularization strength — the same value as <see cref="L2"/>, under the name that reads right with an <see cref="L1Ratio"/>.</summary>
    public double Lambda
    {
        get => _l2;
        init
        {
            Require.L2(value, nameof(Lambda));
            _l2 = value;
        }
    }

    /// <summary>
    /// ρ in [0, 1], the L1 share of the penalty λ(ρ‖w‖₁ + (1 − ρ)/2·‖w‖²): 0 (the default) is L2, 1 the lasso, between
    /// the elastic net (scikit-learn's <c>l1_ratio</c>, glmnet's α). With ρ &gt; 0 weights can be exactly zero; the
    /// solver is <see cref="Training.Solver.OwlQn"/> (chosen automatically when <see cref="Solver"/> is left at L-BFGS).
    /// </summary>
    public double L1Ratio
    {
        get;
        init => field = value is >= 0 and <= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(L1Ratio), value, "L1Ratio must be in [0, 1] (0: L2, 1: L1, between: elastic net).");
    }

    /// <summary>The penalty these options describe.</summary>
    public Penalty Penalty => Penalty.ElasticNet(_l2, L1Ratio);

    /// <summary>
    /// Convergence: stop when ‖∇f(w, b)‖₂ ≤ Tolerance · max(1, ‖∇f(0, 0)‖₂), the gradient over w and b at the current
    /// point and at zero (the cold start; a warm start costs one extra pass to measure it, so warm and cold runs share
    /// one criterion). Finite, ≥ 0. Default 1e-6.
    /// </summary>
    public double Tolerance
    {
        get => _tolerance;
        init => _tolerance = double.IsFinite(value) && value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Tolerance), value, "Tolerance must be a finite number ≥ 0.");
    }

    /// <summary>Threads to use at most, ≥ 1; null (the default) for all cores. The result does not depend on it.</summary>
    public int? MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        init
        {
            Require.DegreeOfParallelism(value, nameof(MaxDegreeOfParallelism));
            _maxDegreeOfParallelism = value;
        }
    }

    /// <summary>Whether to learn the intercept b (otherwise b = 0, or −Σ wⱼμⱼ/σⱼ with <see cref="Standardize"/>). Default true.</summary>
    public bool FitIntercept { get; init; } = true;

    /// <summary>
    /// Train on standardized features (xⱼ − μⱼ)/σⱼ with the (weighted) mean μ and population standard deviation σ of
    /// each column — applied inside the kernel, nothing is copied — and fold the scaling back into the returned model,
    /// which predicts on raw features. The L2 penalty applies to the standardized weights (as scikit-learn's
    /// <c>StandardScaler</c> followed by <c>LogisticRegression</c>). Constant columns get σ = 1. Default false.
    /// </summary>
    public bool Standardize { get; init; }

    /// <summary>Class weights (<see cref="ClassWeights.None"/>, <see cref="ClassWeights.Balanced"/> or <c>ClassWeights.Of</c>). Default none.</summary>
    public ClassWeights ClassWeights
    {
        get => _classWeights;
        init => _classWeights = value ?? throw new ArgumentNullException(nameof(ClassWeights), "Use ClassWeights.None for no class weighting.");
    }

    /// <summary>L-BFGS: how many recent steps approximate the curvature, 1–1000. Default 10.</summary>
    public int LbfgsHistory
    {
        get => _lbfgsHistory;
        init => _lbfgsHistory = value is >= 1 and <= 1000
            ? value
            : throw new ArgumentOutOfRangeException(nameof(LbfgsHistory), value, "LbfgsHistory must be between 1 and 1000.");
    }

    /// <summary>Mini-batch SGD: rows per batch, ≥ 1 (the last batch of an epoch may be smaller). Default 256.</summary>
    public int BatchSize
    {
        get => _batchSize;
        init => _batchSize = value >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(BatchSize), value, "BatchSize must be at least 1.");
    }

    /// <summary>Mini-batch SGD: the learning-rate schedule. Default <see cref="LearningRateSchedule.InverseTime"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined <see cref="LearningRateSchedule"/>.</exception>
    public LearningRateSchedule Schedule
    {
        get;
        init => field = Enum.IsDefined(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Schedule), value, $"{(int)value} is not a LearningRateSchedule; use one of {string.Join(", ", Enum.GetNames<LearningRateSchedule>())}.");
    }

        = LearningRateSchedule.InverseTime;

    /// <summary>Mini-batch SGD and dual coordinate descent: the seed of the row order; the same seed gives the same model. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// How K classes are modelled: <see cref="Training.MultiClass.Auto"/> (the default) trains a binary model for two
    /// classes and a multinomial one for more; <see cref="Training.MultiClass.Multinomial"/> trains softmax regression
    /// (also for two classes); <see cref="Training.MultiClass.OneVsRest"/> trains K binary models in one pass.
    /// </summary>
    public MultiClass MultiClass
    {
        get;
        init => field = Enum.IsDefined(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MultiClass), value, $"{(int)value} is not a MultiClass; use one of {string.Join(", ", Enum.GetNames<MultiClass>())}.");
    }

    /// <summary>
    /// K-class fits with L-BFGS on dense float rows: start with the products in float
    /// (<see cref="Objective.MultinomialObjective{T}.FloatProducts"/>: a faster pass, agreeing with the double one to about
    /// 10⁻⁷ relative) until the gradient has fallen by <see cref="FloatProductsReduction"/> (or to the tolerance, if
    /// looser), then go on in double from there with the same curvature pairs: the result is the double objective's
    /// optimum to <see cref="Tolerance"/>, and the report says how many iterations ran in float. Ignored for binary
    /// models, double or sparse rows, other solvers, sharded training, and without 256-bit SIMD. Default false.
    /// </summary>
    public bool FloatProducts { get; init; }

    /// <summary>The relative gradient reduction at which a <see cref="FloatProducts"/> fit goes on in double.</summary>
    public const double FloatProductsReduction = 1e-4;

    /// <summary>Warm start: training begins from this model (on raw features; of the kind and size being trained) instead of zero. Default null.</summary>
    public ClassificationModel? InitialModel { get; init; }

    /// <summary>Receives iteration, objective, gradient norm, passes and elapsed time after every iteration. Default null.</summary>
    public IProgress<IterationProgress>? Progress { get; init; }

    /// <summary>λ that makes the objective equal scikit-learn's <c>LogisticRegression(C=c)</c>: λ = 1/(C·S).</summary>
    /// <param name="c">scikit-learn's inverse regularization strength, finite and &gt; 0.</param>
    /// <param name="totalSampleWeight">S: the number of rows, or the sum of the (sample × class) weights.</param>
    public static double L2FromScikitLearnC(double c, double totalSampleWeight)
    {
        if (!(double.IsFinite(c) && c > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(c), c, "C must be a finite number greater than 0.");
        }

        if (!(double.IsFinite(totalSampleWeight) && totalSampleWeight > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(totalSampleWeight), totalSampleWeight, "The total sample weight must be a finite number greater than 0.");
        }

        double l2 = 1.0 / (c * totalSampleWeight);
        if (double.IsInfinity(l2))
        {
            throw new ArgumentOutOfRangeException(nameof(c), c, $"C · S = {c * totalSampleWeight:G3} is so small that λ = 1/(C·S) overflows; use a larger C (or set L2 directly).");
        }

        // C · S beyond the double range gives λ = 0: no regularization, which is what so large a C means.
        return l2;
    }
}
