namespace FastLogReg.Models;

/// <summary>How a model turns its decision values into classes.</summary>
public enum ClassificationKind
{
    /// <summary>Two classes, one row of coefficients: P(y = 1 | x) = σ(wᵀx + b).</summary>
    Binary,

    /// <summary>K classes, K rows: P(y = k | x) = softmax(Wx + b)ₖ.</summary>
    Multinomial,

    /// <summary>K classes, K independent binary models ("class k or not"); probabilities are their σ's normalized to sum 1.</summary>
    OneVsRest,
}

/// <summary>
/// A trained linear classifier: rows of coefficients over the features and one intercept per row. The concrete types
/// (<see cref="LogisticModel"/> for two classes; multinomial and one-vs-rest models for K) predict; this base is what
/// model files and tools need to know about any of them. Immutable; safe to share across threads.
/// </summary>
public abstract class ClassificationModel
{
    private protected ClassificationModel()
    {
    }

    /// <summary>How decision values become classes.</summary>
    public abstract ClassificationKind Kind { get; }

    /// <summary>d, the number of features a row must have.</summary>
    public abstract int FeatureCount { get; }

    /// <summary>K, the number of classes (2 for a binary model).</summary>
    public abstract int ClassCount { get; }

    /// <summary>Rows of coefficients: 1 for a binary model, K otherwise.</summary>
    public abstract int CoefficientRows { get; }

    /// <summary>The coefficients of row <paramref name="row"/> (d values).</summary>
    /// <param name="row">0 ≤ row &lt; <see cref="CoefficientRows"/>.</param>
    public abstract ReadOnlySpan<double> Coefficients(int row);

    /// <summary>The intercept of row <paramref name="row"/>.</summary>
    /// <param name="row">0 ≤ row &lt; <see cref="CoefficientRows"/>.</param>
    public abstract double Intercept(int row);
}
