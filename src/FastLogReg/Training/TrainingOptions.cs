namespace FastLogReg;

/// <summary>
/// How to train: an immutable record, validated as each property is set (also through <c>with</c>), so an invalid
/// option fails where it is written, with a message naming it.
/// </summary>
public sealed record TrainingOptions
{
    private readonly double _learningRate = 0.1;
    private readonly int _maxEpochs = 1000;
    private readonly double _l2;
    private readonly double _tolerance = 1e-6;
    private readonly int? _maxDegreeOfParallelism;

    /// <summary>
    /// η, the fixed step of gradient descent: w ← w − η·∂f/∂w, b ← b − η·∂f/∂b. Finite and &gt; 0. Default 0.1.
    /// Any η ≤ <see cref="LogisticRegression.SafeLearningRate{T}"/> makes the objective fall every epoch.
    /// </summary>
    public double LearningRate
    {
        get => _learningRate;
        init => _learningRate = double.IsFinite(value) && value > 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(LearningRate), value, "LearningRate must be a finite number greater than 0.");
    }

    /// <summary>The most gradient steps to take, ≥ 0 (0 only evaluates the starting point). Default 1000.</summary>
    public int MaxEpochs
    {
        get => _maxEpochs;
        init => _maxEpochs = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxEpochs), value, "MaxEpochs must be 0 or more.");
    }

    /// <summary>
    /// λ ≥ 0, the L2 strength: the objective is mean cross-entropy + (λ/2)‖w‖² (the intercept is never penalized).
    /// Default 0. scikit-learn's <c>C</c> corresponds to λ = 1/(C·n); see <see cref="L2FromScikitLearnC"/>.
    /// </summary>
    public double L2
    {
        get => _l2;
        init
        {
            ValidateL2(value, nameof(L2));
            _l2 = value;
        }
    }

    /// <summary>Stop (converged) when the Euclidean norm of the full gradient (w and b) is ≤ this. Finite, ≥ 0. Default 1e-6.</summary>
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
            ValidateDegreeOfParallelism(value, nameof(MaxDegreeOfParallelism));
            _maxDegreeOfParallelism = value;
        }
    }

    /// <summary>Whether to learn the intercept b (otherwise b = 0). Default true.</summary>
    public bool FitIntercept { get; init; } = true;

    /// <summary>Warm start: training begins from this model's weights and bias instead of zero. Default null.</summary>
    public LogisticModel? InitialModel { get; init; }

    /// <summary>λ that makes the objective equal scikit-learn's <c>LogisticRegression(C=c)</c>: λ = 1/(C·S).</summary>
    /// <param name="c">scikit-learn's inverse regularization strength, finite and &gt; 0.</param>
    /// <param name="totalSampleWeight">S: the number of rows, or the sum of the sample weights.</param>
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

        return 1.0 / (c * totalSampleWeight);
    }

    internal static void ValidateL2(double value, string name)
    {
        if (!(double.IsFinite(value) && value >= 0))
        {
            throw new ArgumentOutOfRangeException(name, value, "The L2 strength λ must be a finite number ≥ 0.");
        }
    }

    internal static void ValidateDegreeOfParallelism(int? value, string name)
    {
        if (value is < 1)
        {
            throw new ArgumentOutOfRangeException(name, value, "The degree of parallelism must be at least 1 (or null for all cores).");
        }
    }
}
