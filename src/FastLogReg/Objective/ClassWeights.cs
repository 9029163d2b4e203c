using FastLogReg.Data;

namespace FastLogReg.Objective;

/// <summary>
/// Per-class weights: every row of class c has its weight (sample weight, or 1) multiplied by the class's weight.
/// </summary>
public sealed record ClassWeights
{
    private readonly double[]? _many; // K explicit weights (K > 2)

    private ClassWeights(double negative, double positive, bool balanced, double[]? many = null)
    {
        Negative = negative;
        Positive = positive;
        IsBalanced = balanced;
        _many = many;
    }

    /// <summary>No class weighting (both 1).</summary>
    public static ClassWeights None { get; } = new(1.0, 1.0, false);

    /// <summary>
    /// scikit-learn's "balanced": weight n / (2·n_c) for class c, where n_c counts the rows of class c — so both classes
    /// carry the same total weight. Both classes must be present.
    /// </summary>
    public static ClassWeights Balanced { get; } = new(double.NaN, double.NaN, true);

    /// <summary>Weight of class 0 (NaN until resolved for <see cref="Balanced"/>).</summary>
    public double Negative { get; }

    /// <summary>Weight of class 1 (NaN until resolved for <see cref="Balanced"/>).</summary>
    public double Positive { get; }

    /// <summary>Whether the weights are derived from the class counts.</summary>
    public bool IsBalanced { get; }

    /// <summary>Explicit weights for K classes (class k's weight is <paramref name="weights"/>[k]): finite and &gt; 0.</summary>
    /// <param name="weights">One weight per class, at least two.</param>
    public static ClassWeights Of(params double[] weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Length < 2)
        {
            throw new ArgumentException("Class weights need one weight per class (at least two).", nameof(weights));
        }

        for (int k = 0; k < weights.Length; k++)
        {
            if (!(double.IsFinite(weights[k]) && weights[k] > 0))
            {
                throw new ArgumentOutOfRangeException(nameof(weights), weights[k], $"The weight of class {k} must be a finite number greater than 0.");
            }
        }

        return weights.Length == 2 ? Of(weights[0], weights[1]) : new ClassWeights(weights[0], weights[1], false, (double[])weights.Clone());
    }

    /// <summary>The weight of every class for rows with these class totals (K = the totals' class count).</summary>
    /// <param name="totals">Rows per class (merged over chunks or shards).</param>
    /// <exception cref="ArgumentException">Explicit weights for another number of classes, or balanced weights with a class that has no rows.</exception>
    public double[] ResolveAll(ClassTotals totals)
    {
        ArgumentNullException.ThrowIfNull(totals);
        int classes = totals.Counts.Length;
        if (IsBalanced)
        {
            long rows = totals.Rows;
            double[] balanced = new double[classes];
            for (int k = 0; k < classes; k++)
            {
                if (totals.Counts[k] == 0)
                {
                    throw new ArgumentException($"Balanced class weights need every class, but class {k} has no rows.", nameof(totals));
                }

                balanced[k] = rows / ((double)classes * totals.Counts[k]);
            }

            return balanced;
        }

        if (_many is not null)
        {
            return _many.Length == classes ? (double[])_many.Clone() : throw new ArgumentException($"{_many.Length} class weights for {classes} classes.", nameof(totals));
        }

        if (Negative == 1 && Positive == 1)
        {
            return Enumerable.Repeat(1.0, classes).ToArray();
        }

        return classes == 2 ? [Negative, Positive] : throw new ArgumentException($"Two class weights for {classes} classes: give one per class (ClassWeights.Of(w0, w1, …)).", nameof(totals));
    }

    /// <summary>Explicit weights for class 0 and class 1: finite and &gt; 0.</summary>
    /// <param name="negative">Weight of class 0.</param>
    /// <param name="positive">Weight of class 1.</param>
    public static ClassWeights Of(double negative, double positive)
    {
        if (!(double.IsFinite(negative) && negative > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(negative), negative, "A class weight must be a finite number greater than 0.");
        }

        if (!(double.IsFinite(positive) && positive > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(positive), positive, "A class weight must be a finite number greater than 0.");
        }

        return new ClassWeights(negative, positive, false);
    }

    /// <summary>The concrete weights for a data set (resolves <see cref="Balanced"/> from its label counts).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="data">The training data.</param>
    public (double Negative, double Positive) Resolve<T>(Dataset<T> data)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        return IsBalanced ? Resolve(ClassTotals.Of(data, 0, data.Rows)) : (Negative, Positive);
    }

    /// <summary>The concrete weights for rows with these class totals (resolves <see cref="Balanced"/> from the counts).</summary>
    /// <param name="totals">Rows per class (merged over chunks or shards).</param>
    public (double Negative, double Positive) Resolve(ClassTotals totals)
    {
        ArgumentNullException.ThrowIfNull(totals);
        if (!IsBalanced)
        {
            return (Negative, Positive);
        }

        long negatives = totals.Counts[0], positives = totals.Counts[1];
        long rows = negatives + positives;
        if (positives == 0 || negatives == 0)
        {
            throw new ArgumentException(
                $"Balanced class weights need both classes, but all {rows} labels are {(positives == 0 ? 0 : 1)}.", nameof(totals));
        }

        return (rows / (2.0 * negatives), rows / (2.0 * positives));
    }

    /// <inheritdoc/>
    public override string ToString() =>
        IsBalanced ? "balanced"
        : _many is not null ? string.Join(", ", _many.Select((v, k) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{k}: {v:G6}")))
        : Negative == 1 && Positive == 1 ? "none"
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"0: {Negative:G6}, 1: {Positive:G6}");
}
