using FastLogReg.Data;

namespace FastLogReg.Objective;

/// <summary>
/// Per-class weights: every row of class c has its weight (sample weight, or 1) multiplied by the class's weight.
/// </summary>
public sealed record ClassWeights
{
    private ClassWeights(double negative, double positive, bool balanced)
    {
        Negative = negative;
        Positive = positive;
        IsBalanced = balanced;
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
    public override string ToString() => IsBalanced ? "balanced" : Negative == 1 && Positive == 1 ? "none" : $"0: {Negative:G6}, 1: {Positive:G6}";
}
