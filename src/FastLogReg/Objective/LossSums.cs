using FastLogReg.Numerics;

namespace FastLogReg.Objective;

/// <summary>
/// The raw sums of the logistic loss over some rows (a chunk, a shard, a data set), at given raw-feature parameters:
/// <code>
/// Loss = Σᵢ sᵢ·ℓᵢ,   Gradient = Σᵢ sᵢ·rᵢ·xᵢ,   Residual = Σᵢ sᵢ·rᵢ,   rᵢ = σ(zᵢ) − yᵢ
/// </code>
/// — not divided by the total weight and without any penalty, so the sums of disjoint sets of rows add up: the sums of a
/// data set are the sums of its chunks added in chunk order (<see cref="Add"/>). <see cref="RegularizedObjective"/>
/// turns them into the objective and its gradient.
/// </summary>
public sealed class LossSums
{
    /// <summary>Creates zero sums for rows of <paramref name="columns"/> features.</summary>
    /// <param name="columns">d, the length of <see cref="Gradient"/>.</param>
    public LossSums(int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        Gradient = new double[columns];
    }

    /// <summary>Σᵢ sᵢ·ℓᵢ.</summary>
    public double Loss { get; set; }

    /// <summary>Σᵢ sᵢ·(σ(zᵢ) − yᵢ), the intercept's part of the gradient.</summary>
    public double Residual { get; set; }

    /// <summary>Σᵢ sᵢ·(σ(zᵢ) − yᵢ)·xᵢ, one sum per column.</summary>
    public double[] Gradient { get; }

    /// <summary>d.</summary>
    public int Columns => Gradient.Length;

    /// <summary>Sets every sum to zero.</summary>
    public void Clear()
    {
        Loss = 0;
        Residual = 0;
        Array.Clear(Gradient);
    }

    /// <summary>Adds <paramref name="other"/>'s sums to these (the rows of both, in this order).</summary>
    /// <param name="other">Sums over other rows, of the same width.</param>
    public void Add(LossSums other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Columns != Columns)
        {
            throw new ArgumentException($"The sums have {other.Columns} columns, these {Columns}.", nameof(other));
        }

        Loss += other.Loss;
        Residual += other.Residual;
        SmallVectors.Add(Gradient, other.Gradient, Gradient);
    }

    /// <summary>Makes these sums a copy of <paramref name="other"/>.</summary>
    /// <param name="other">Sums of the same width.</param>
    public void CopyFrom(LossSums other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Loss = other.Loss;
        Residual = other.Residual;
        other.Gradient.CopyTo(Gradient.AsSpan());
    }
}
