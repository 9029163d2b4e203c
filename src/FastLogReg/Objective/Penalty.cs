using FastLogReg.Numerics;
using System.Globalization;

namespace FastLogReg.Objective;

/// <summary>
/// The regularization term P(w) of an objective, in one place: its value, its gradient (of the smooth part), its
/// proximal step, the curvature it adds, and a Hessian-vector term. The intercept is never penalized: every method sees
/// the weights w only. The objective adds it exactly once; the report and the safe learning rate ask it.
/// </summary>
public abstract class Penalty
{
    private protected Penalty()
    {
    }

    /// <summary>No regularization: P(w) = 0.</summary>
    public static Penalty None { get; } = new L2Penalty(0);

    /// <summary>Whether the penalty is differentiable everywhere (L2, none); an L1 part is not, and needs a proximal solver.</summary>
    public abstract bool IsSmooth { get; }

    /// <summary>An upper bound on the curvature of the smooth part (λ for (λ/2)‖w‖²), for the safe learning rate.</summary>
    public abstract double CurvatureBound { get; }

    /// <summary>The ridge penalty (λ/2)‖w‖².</summary>
    /// <param name="lambda">λ ≥ 0, finite.</param>
    public static Penalty L2(double lambda) => lambda == 0 ? None : new L2Penalty(lambda);

    /// <summary>The lasso penalty λ‖w‖₁.</summary>
    /// <param name="lambda">λ ≥ 0, finite.</param>
    public static Penalty L1(double lambda) => ElasticNet(lambda, 1);

    /// <summary>
    /// The elastic net λ(ρ‖w‖₁ + (1 − ρ)/2·‖w‖²): ρ = 0 is L2, ρ = 1 the lasso (scikit-learn's <c>l1_ratio</c>,
    /// glmnet's α).
    /// </summary>
    /// <param name="lambda">λ ≥ 0, finite.</param>
    /// <param name="l1Ratio">ρ in [0, 1].</param>
    public static Penalty ElasticNet(double lambda, double l1Ratio) =>
        l1Ratio == 0 || lambda == 0 ? L2(lambda) : new ElasticNetPenalty(lambda, l1Ratio);

    /// <summary>The weight of the ‖w‖₁ term (λρ); 0 for a smooth penalty.</summary>
    public virtual double L1Strength => 0;

    /// <summary>The smooth part of P(w) (all of it for a smooth penalty).</summary>
    /// <param name="weights">w (without the intercept).</param>
    public virtual double SmoothValue(ReadOnlySpan<double> weights) => Value(weights);

    /// <summary>P(w).</summary>
    /// <param name="weights">w (without the intercept).</param>
    public abstract double Value(ReadOnlySpan<double> weights);

    /// <summary>g += ∇P(w) of the smooth part.</summary>
    /// <param name="weights">w.</param>
    /// <param name="gradient">The gradient over w to add to (same length).</param>
    public abstract void AddGradient(ReadOnlySpan<double> weights, Span<double> gradient);

    /// <summary>hv += ∇²P·v of the smooth part.</summary>
    /// <param name="direction">v.</param>
    /// <param name="product">The product over w to add to.</param>
    public abstract void AddHessianVector(ReadOnlySpan<double> direction, Span<double> product);

    /// <summary>
    /// Adds ∇²P over the first <paramref name="count"/> parameters (the weights) into the upper-left corner of
    /// <paramref name="matrix"/> (row-major, <paramref name="stride"/> values a row), column by column through
    /// <see cref="AddHessianVector"/> — the whole Hessian of the exact Newton solver.
    /// </summary>
    internal void AddHessianInto(Span<double> matrix, int stride, int count)
    {
        double[] unit = new double[count], column = new double[count];
        for (int j = 0; j < count; j++)
        {
            unit[j] = 1;
            Array.Clear(column);
            AddHessianVector(unit, column);
            unit[j] = 0;
            for (int r = 0; r < count; r++)
            {
                matrix[(r * stride) + j] += column[r];
            }
        }
    }

    /// <summary>
    /// w ← prox_{step·P}(w) = argmin_u P(u) + ‖u − w‖²/(2·step), in place — what a proximal-gradient step applies after
    /// a gradient step of length <paramref name="step"/>.
    /// </summary>
    /// <param name="weights">w, replaced by the proximal point.</param>
    /// <param name="step">The step length, &gt; 0.</param>
    public abstract void Proximal(Span<double> weights, double step);
}

/// <summary>The ridge penalty P(w) = (λ/2)‖w‖².</summary>
public sealed class L2Penalty : Penalty
{
    /// <summary>Creates the penalty.</summary>
    /// <param name="lambda">λ ≥ 0, finite.</param>
    /// <exception cref="ArgumentOutOfRangeException">λ is negative, NaN or infinite.</exception>
    public L2Penalty(double lambda)
    {
        Internal.Require.L2(lambda, nameof(lambda));
        Lambda = lambda;
    }

    /// <summary>λ.</summary>
    public double Lambda { get; }

    /// <inheritdoc/>
    public override bool IsSmooth => true;

    /// <inheritdoc/>
    public override double CurvatureBound => Lambda;

    /// <inheritdoc/>
    public override double Value(ReadOnlySpan<double> weights) => Lambda == 0 ? 0 : 0.5 * Lambda * SmallVectors.SumOfSquares(weights);

    /// <inheritdoc/>
    public override void AddGradient(ReadOnlySpan<double> weights, Span<double> gradient)
    {
        if (Lambda != 0)
        {
            SmallVectors.MultiplyAdd(weights, Lambda, gradient, gradient);
        }
    }

    /// <inheritdoc/>
    public override void AddHessianVector(ReadOnlySpan<double> direction, Span<double> product)
    {
        if (Lambda != 0)
        {
            SmallVectors.MultiplyAdd(direction, Lambda, product, product);
        }
    }

    /// <inheritdoc/>
    public override void Proximal(Span<double> weights, double step)
    {
        if (Lambda != 0)
        {
            SmallVectors.Multiply(weights, 1.0 / (1.0 + (step * Lambda)), weights);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Lambda == 0 ? "none" : string.Create(CultureInfo.InvariantCulture, $"L2(λ = {Lambda:G6})");
}

/// <summary>
/// The elastic net P(w) = λ(ρ‖w‖₁ + (1 − ρ)/2·‖w‖²) with ρ in (0, 1] (ρ = 1: the lasso). Not smooth: objectives add its
/// value and the gradient of its smooth part (λ(1 − ρ)w); the ‖w‖₁ term's subgradient is left to an L1 solver
/// (<see cref="Optimization.OwlQn"/>).
/// </summary>
public sealed class ElasticNetPenalty : Penalty
{
    /// <summary>Creates the penalty.</summary>
    /// <param name="lambda">λ ≥ 0, finite.</param>
    /// <param name="l1Ratio">ρ in (0, 1].</param>
    /// <exception cref="ArgumentOutOfRangeException">λ or ρ out of range.</exception>
    public ElasticNetPenalty(double lambda, double l1Ratio)
    {
        Internal.Require.L2(lambda, nameof(lambda));
        if (!(l1Ratio > 0 && l1Ratio <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(l1Ratio), l1Ratio, "The L1 ratio ρ must be in (0, 1] (0 is plain L2: use Penalty.L2).");
        }

        Lambda = lambda;
        L1Ratio = l1Ratio;
    }

    /// <summary>λ.</summary>
    public double Lambda { get; }

    /// <summary>ρ.</summary>
    public double L1Ratio { get; }

    /// <inheritdoc/>
    public override double L1Strength => Lambda * L1Ratio;

    /// <summary>λ(1 − ρ), the strength of the squared part.</summary>
    public double L2Strength => Lambda * (1 - L1Ratio);

    /// <inheritdoc/>
    public override bool IsSmooth => false;

    /// <inheritdoc/>
    public override double CurvatureBound => L2Strength;

    /// <inheritdoc/>
    public override double Value(ReadOnlySpan<double> weights) =>
        (L1Strength * SmallVectors.SumOfMagnitudes(weights)) + SmoothValue(weights);

    /// <inheritdoc/>
    public override double SmoothValue(ReadOnlySpan<double> weights) =>
        L2Strength == 0 ? 0 : 0.5 * L2Strength * SmallVectors.SumOfSquares(weights);

    /// <inheritdoc/>
    public override void AddGradient(ReadOnlySpan<double> weights, Span<double> gradient)
    {
        if (L2Strength != 0)
        {
            SmallVectors.MultiplyAdd(weights, L2Strength, gradient, gradient);
        }
    }

    /// <inheritdoc/>
    public override void AddHessianVector(ReadOnlySpan<double> direction, Span<double> product)
    {
        if (L2Strength != 0)
        {
            SmallVectors.MultiplyAdd(direction, L2Strength, product, product);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Soft-thresholding by step·λρ, then shrinking by 1/(1 + step·λ(1 − ρ)).</remarks>
    public override void Proximal(Span<double> weights, double step)
    {
        double threshold = step * L1Strength, shrink = 1.0 / (1.0 + (step * L2Strength));
        for (int j = 0; j < weights.Length; j++)
        {
            double w = weights[j];
            weights[j] = w > threshold ? (w - threshold) * shrink : w < -threshold ? (w + threshold) * shrink : 0.0;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"elastic net(λ = {Lambda:G6}, ρ = {L1Ratio:G6})");
}
