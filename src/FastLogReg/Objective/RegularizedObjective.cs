using FastLogReg.Numerics;
using FastLogReg.Optimization;

namespace FastLogReg.Objective;

/// <summary>
/// The regularized objective over the rows of an <see cref="ILossSumsSource"/>:
/// <code>
/// f(w, b) = Loss(w′, b′)/S + P(w),   ∇_w f = T(Gradient(w′, b′))/S + ∇P(w),   ∂f/∂b = Residual(w′, b′)/S
/// </code>
/// where (w′, b′) are the parameters on raw features (w, b themselves, or their standardized form folded back through a
/// <see cref="FeatureScaling"/>), T maps the raw gradient to the standardized one, S is the source's total weight and
/// P the penalty — added here, exactly once. The parameter vector is (w₀ … w_{d−1}, b), without b when the intercept is
/// not fitted. Every solver of <c>FastLogReg.Optimization</c> minimizes it.
/// </summary>
/// <remarks>Not thread-safe: one evaluation at a time. An evaluation allocates nothing.</remarks>
public sealed class RegularizedObjective : ITwiceDifferentiableFunction
{
    private readonly ILossSumsSource _source;
    private readonly LossSums _sums;
    private readonly double[] _raw; // w′, then b′
    private readonly double[] _lastPoint; // the point of the most recent Finish, where the Hessian is taken
    private readonly double[] _direction; // a direction on raw features, then its intercept component
    private double[]? _sumCx;
    private double[]? _sumCx2;
    private double[]? _gram;      // (d + 1)², on first use
    private double _sumC;
    private bool _curvatureStale = true;
    private bool _hasEvaluated;

    /// <summary>Creates the objective.</summary>
    /// <param name="source">The rows and their loss.</param>
    /// <param name="penalty">P(w); <see cref="Penalty.None"/> for none.</param>
    /// <param name="fitIntercept">Whether b is a parameter (otherwise b = 0).</param>
    /// <param name="scaling">Standardize the features with this scaling (in parameter space); null for raw features.</param>
    public RegularizedObjective(ILossSumsSource source, Penalty penalty, bool fitIntercept = true, FeatureScaling? scaling = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(penalty);
        if (scaling is not null && scaling.Columns != source.Columns)
        {
            throw new ArgumentException($"The scaling has {scaling.Columns} columns but the data has {source.Columns}.", nameof(scaling));
        }

        if (!(source.TotalWeight > 0 && double.IsFinite(source.TotalWeight)))
        {
            throw new ArgumentException($"The rows' total weight is {source.TotalWeight}: it must be finite and > 0.", nameof(source));
        }

        _source = source;
        Penalty = penalty;
        FitIntercept = fitIntercept;
        Scaling = scaling;
        _sums = new LossSums(source.Columns);
        _raw = new double[source.Columns + 1];
        _lastPoint = new double[Dimension];
        _direction = new double[source.Columns + 1];
    }

    /// <summary>The penalty, added once per evaluation.</summary>
    public Penalty Penalty { get; }

    /// <summary>Whether the last parameter is the intercept b.</summary>
    public bool FitIntercept { get; }

    /// <summary>The standardization, or null.</summary>
    public FeatureScaling? Scaling { get; }

    /// <summary>S, the total weight the loss is divided by.</summary>
    public double TotalWeight => _source.TotalWeight;

    /// <inheritdoc/>
    public int Dimension => _source.Columns + (FitIntercept ? 1 : 0);

    /// <summary>The data term Loss/S of the most recent evaluation, without the penalty.</summary>
    public double LastLoss { get; private set; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A span's length differs from <see cref="Dimension"/>.</exception>
    public double Evaluate(ReadOnlySpan<double> point, Span<double> gradient)
    {
        CheckLengths(point, gradient);
        int d = _source.Columns;
        ToRaw(point, _raw.AsSpan(0, d), out _raw[d]);
        _source.Evaluate(_raw.AsSpan(0, d), _raw[d], _sums);
        _sums.Gradient.CopyTo(gradient[..d]);
        return Finish(point, gradient, _sums.Loss, _sums.Residual, TotalWeight);
    }

    /// <summary>(w, b) → the raw-feature parameters (w′, b′) the loss is evaluated at.</summary>
    /// <param name="point">The parameter vector.</param>
    /// <param name="weights">Receives w′ (d values).</param>
    /// <param name="bias">Receives b′.</param>
    public void ToRaw(ReadOnlySpan<double> point, Span<double> weights, out double bias)
    {
        int d = _source.Columns;
        double b = FitIntercept ? point[d] : 0.0;
        if (Scaling is null)
        {
            point[..d].CopyTo(weights);
            bias = b;
        }
        else
        {
            Scaling.ToRaw(point[..d], b, weights, out bias);
        }
    }

    /// <summary>
    /// From raw sums (Σ sᵢrᵢxᵢ already in <paramref name="gradient"/>[..d]) over rows of total weight
    /// <paramref name="totalWeight"/> to the objective and its gradient at <paramref name="point"/>: the one place where
    /// the sums are normalized and the penalty is added.
    /// </summary>
    /// <param name="point">The parameter vector.</param>
    /// <param name="gradient">Holds Σ sᵢrᵢxᵢ in its first d values; receives ∇f.</param>
    /// <param name="loss">Σ sᵢℓᵢ.</param>
    /// <param name="residual">Σ sᵢrᵢ.</param>
    /// <param name="totalWeight">S.</param>
    /// <returns>f at <paramref name="point"/>.</returns>
    public double Finish(ReadOnlySpan<double> point, Span<double> gradient, double loss, double residual, double totalWeight)
    {
        int d = _source.Columns;
        Span<double> gw = gradient[..d];
        Scaling?.GradientToStandardized(gw, residual);
        double inverseWeight = 1.0 / totalWeight;
        SmallVectors.Multiply(gw, inverseWeight, gw);
        ReadOnlySpan<double> w = point[..d];
        Penalty.AddGradient(w, gw);
        double penalty = Penalty.Value(w);
        if (FitIntercept)
        {
            gradient[d] = residual * inverseWeight;
        }

        LastLoss = loss * inverseWeight;
        point.CopyTo(_lastPoint);
        _curvatureStale = true;
        _hasEvaluated = true;
        return LastLoss + penalty;
    }

    /// <summary>Passes over the rows that cached their curvature (one per Hessian point).</summary>
    public long CurvaturePasses { get; private set; }

    /// <summary>Whether the rows give their curvature (<see cref="ICurvatureSource"/>): the Hessian is available.</summary>
    public bool HasHessian => _source is ICurvatureSource;

    /// <inheritdoc/>
    /// <remarks>
    /// ∇²f = Jᵀ(X̂ᵀCX̂)J/S + ∇²P, J the map from the parameters to raw-feature parameters (the identity without
    /// standardization). The rows' curvature is cached on the first product after an evaluation (one pass), then each
    /// product is one pass.
    /// </remarks>
    /// <exception cref="NotSupportedException">The rows do not give their curvature.</exception>
    /// <exception cref="InvalidOperationException">Nothing has been evaluated yet.</exception>
    public void HessianVector(ReadOnlySpan<double> direction, Span<double> product)
    {
        CheckLengths(direction, product);
        ICurvatureSource source = Prepare();
        int d = _source.Columns;
        ToRaw(direction, _direction.AsSpan(0, d), out _direction[d]);
        Span<double> q = product[..d];
        source.HessianVector(_direction.AsSpan(0, d), _direction[d], q, out double qb);
        Scaling?.GradientToStandardized(q, qb);
        double inverseWeight = 1.0 / TotalWeight;
        SmallVectors.Multiply(q, inverseWeight, q);
        Penalty.AddHessianVector(direction[..d], q);
        if (FitIntercept)
        {
            product[d] = qb * inverseWeight;
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Without standardization, Σᵢcᵢxᵢⱼ²/S (+ the penalty's curvature) and Σᵢcᵢ/S for the intercept; standardized,
    /// Σᵢcᵢ(xᵢⱼ − μⱼ)²/(σⱼ²S), expanded from the same sums.
    /// </remarks>
    public bool TryGetHessianDiagonal(Span<double> diagonal)
    {
        if (_source is not ICurvatureSource || diagonal.Length != Dimension)
        {
            return false;
        }

        int d = _source.Columns;
        _sumCx ??= new double[d];
        _sumCx2 ??= new double[d];
        Prepare(withMoments: true);
        double inverseWeight = 1.0 / TotalWeight;
        double curvature = Penalty.CurvatureBound;
        for (int j = 0; j < d; j++)
        {
            double v = Scaling is null ? _sumCx2[j] : StandardizedSquareSum(_sumCx2[j], _sumCx[j], _sumC, Scaling.Means[j], Scaling.Scales[j]);

            diagonal[j] = (Math.Max(v, 0) * inverseWeight) + curvature;
        }

        if (FitIntercept)
        {
            diagonal[d] = _sumC * inverseWeight;
        }

        return true;
    }

    /// <inheritdoc/>
    /// <remarks>The diagonal itself on dense rows, LIBLINEAR's mix on sparse ones (<see cref="Preconditioning"/>).</remarks>
    public bool TryGetPreconditioner(Span<double> preconditioner)
    {
        if (!TryGetHessianDiagonal(preconditioner))
        {
            return false;
        }

        Preconditioning.ForRows(preconditioner, ((ICurvatureSource)_source).SparseRows);
        return true;
    }

    /// <summary>Standardized columns whose μ and σ both lie below this (2⁻⁴⁵⁰), or either above its inverse, get a stand-in diagonal.</summary>
    private const double SmallestPlainColumn = 3.4947436335323782e-136, LargestPlainColumn = 1 / SmallestPlainColumn;

    /// <summary>
    /// Σᵢcᵢx̃ᵢⱼ² for the standardized column x̃ = (x − μ)/σ from the raw sums Σcx², Σcx and Σc: a Hessian diagonal entry.
    /// A column of values below 2⁻⁴⁵⁰ (or above 2⁴⁵⁰) has raw squares that underflowed (overflowed), and 0/0 would make the
    /// preconditioner NaN: its standardized values have unit variance, so Σᵢcᵢ stands in — only the preconditioner's
    /// quality depends on it, never a Newton step's correctness.
    /// </summary>
    internal static double StandardizedSquareSum(double sumCx2, double sumCx, double sumC, double mu, double sigma)
    {
        double v = (sumCx2 - (2 * mu * sumCx) + (mu * mu * sumC)) / (sigma * sigma);
        double magnitude = Math.Max(Math.Abs(mu), sigma);
        return magnitude is >= SmallestPlainColumn and <= LargestPlainColumn && double.IsFinite(v) ? v : sumC;
    }

    /// <summary>Whole Hessians built (each one pass over the rows with O(n·d²) arithmetic, after a curvature pass).</summary>
    public long HessianMatrices { get; private set; }

    /// <inheritdoc/>
    /// <remarks>
    /// ∇²f = Ĝ/S + ∇²P with Ĝ = X̂ᵀCX̂ taken directly on the parameters' features (standardized ones when the objective
    /// standardizes: no expansion from raw sums, so a column far from zero loses nothing to cancellation). False when the
    /// rows do not give the matrix, or when it would have more than <see cref="MaxHessianDimension"/>² entries.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="hessian"/> does not hold Dimension² values.</exception>
    /// <exception cref="InvalidOperationException">Nothing has been evaluated yet.</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool TryGetHessian(Span<double> hessian)
    {
        int n = Dimension, d = _source.Columns, size = d + 1;
        if (hessian.Length != (long)n * n)
        {
            throw new ArgumentException($"The Hessian span has {hessian.Length} elements but the objective's Hessian has {n} × {n}.", nameof(hessian));
        }

        if (_source is not ICurvatureSource || n > MaxHessianDimension)
        {
            return false;
        }

        ICurvatureSource source = Prepare();
        _gram ??= new double[size * size];
        if (!source.TryWeightedGram(Scaling, _gram))
        {
            return false;
        }

        HessianMatrices++;
        double inverseWeight = 1.0 / TotalWeight;
        for (int j = 0; j < n; j++)
        {
            for (int k = 0; k < n; k++)
            {
                hessian[(j * n) + k] = _gram[(j * size) + k] * inverseWeight;
            }
        }

        // ∇²P on the weights; never on the intercept.
        Penalty.AddHessianInto(hessian, n, d);
        return true;
    }

    /// <summary>The largest dimension whose whole Hessian <see cref="TryGetHessian"/> builds (4,097: 4,096 features and the intercept).</summary>
    public const int MaxHessianDimension = 4097;

    private ICurvatureSource Prepare(bool withMoments = false)
    {
        if (_source is not ICurvatureSource source)
        {
            throw new NotSupportedException($"{_source.GetType().Name} does not give the curvature of its loss (ICurvatureSource): no Hessian.");
        }

        if (!_hasEvaluated)
        {
            throw new InvalidOperationException("The Hessian is taken at the most recently evaluated point: call Evaluate first.");
        }

        if (_curvatureStale || withMoments)
        {
            int d = _source.Columns;
            ToRaw(_lastPoint, _raw.AsSpan(0, d), out _raw[d]);
            _sumC = source.PrepareCurvature(_raw.AsSpan(0, d), _raw[d], withMoments ? _sumCx : default, withMoments ? _sumCx2 : default);
            _curvatureStale = false;
            CurvaturePasses++;
        }

        return source;
    }

    /// <summary>Checks that both spans have <see cref="Dimension"/> values.</summary>
    internal void CheckLengths(ReadOnlySpan<double> point, Span<double> gradient)
    {
        if (point.Length != Dimension)
        {
            throw new ArgumentException($"The point has {point.Length} parameters but the objective has {Dimension} (d = {_source.Columns}{(FitIntercept ? " plus the intercept" : string.Empty)}).", nameof(point));
        }

        if (gradient.Length != Dimension)
        {
            throw new ArgumentException($"The gradient span has {gradient.Length} elements but the objective has {Dimension}.", nameof(gradient));
        }
    }
}
