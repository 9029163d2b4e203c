using FastLogReg.Numerics;

namespace FastLogReg.Optimization;

/// <summary>
/// A line search for the strong Wolfe conditions along a descent direction d from x (Nocedal &amp; Wright, Algorithms 3.5
/// and 3.6: bracketing, then zoom with safeguarded cubic interpolation):
/// <code>
/// φ(α) ≤ φ(0) + c₁·α·φ′(0)   and   |φ′(α)| ≤ c₂·|φ′(0)|,     φ(α) = f(x + αd),  c₁ = 10⁻⁴,  c₂ = 0.9
/// </code>
/// Near the optimum φ(α) − φ(0) drowns in rounding; there a point that satisfies the curvature condition and does not
/// raise f beyond 10⁻¹⁴·|f| is accepted (Hager and Zhang's approximate Wolfe condition). Every trial is one fused pass
/// (value and gradient together); the accepted trial's gradient is kept, so the solver never re-evaluates it.
/// </summary>
internal sealed class WolfeLineSearch
{
    private const double C1 = 1e-4;
    private const double C2 = 0.9;
    private const double ApproximateSlack = 1e-14;
    // Enough for ~60 halvings: a steepest-descent first step of unit length on a penalty of λ = 10¹² must shrink ~10¹²-fold
    // (25 stopped a ridge fit at λ = 10⁹ at iteration 0); searches that succeed sooner are unaffected.
    private const int MaxEvaluations = 60;

    private readonly IDifferentiableFunction _function;
    private readonly double[] _trial;
    private readonly double[] _trialGradient;

    public WolfeLineSearch(IDifferentiableFunction function)
    {
        _function = function;
        _trial = new double[function.Dimension];
        _trialGradient = new double[function.Dimension];
    }

    /// <summary>
    /// Searches from (x, f, g) along d with first trial step <paramref name="initialStep"/>. On success overwrites x, g
    /// with the accepted point and its gradient and returns its value; on failure returns null and leaves x, g as they were.
    /// </summary>
    public double? Search(double[] x, double f, double[] g, ReadOnlySpan<double> d, double initialStep, out double step)
    {
        double slope0 = SmallVectors.Dot(g, d);
        double loStep = 0, loValue = f, loSlope = slope0;
        double hiStep = double.NaN, hiValue = double.NaN, hiSlope = double.NaN;
        double alpha = initialStep;
        bool bracketed = false;

        for (int evaluation = 0; evaluation < MaxEvaluations; evaluation++)
        {
            double value = Evaluate(x, d, alpha, out double slope);
            bool sufficient = value <= f + (C1 * alpha * slope0) || (value <= f + (ApproximateSlack * Math.Abs(f)) && !double.IsNaN(value));
            bool curvature = Math.Abs(slope) <= C2 * Math.Abs(slope0);

            if (sufficient && curvature && double.IsFinite(value))
            {
                step = alpha;
                _trial.CopyTo(x, 0);
                _trialGradient.CopyTo(g, 0);
                return value;
            }

            if (!double.IsFinite(value) || !sufficient || value >= loValue)
            {
                // Too far: a minimizer lies between the best acceptable step so far (lo) and this one.
                (hiStep, hiValue, hiSlope) = (alpha, value, slope);
                bracketed = true;
            }
            else
            {
                // Acceptable decrease: this becomes lo. If the slope points back towards lo's side, the old lo bounds
                // the minimizer from the other side (Nocedal & Wright's zoom: φ′(αⱼ)(hi − lo) ≥ 0 ⇒ hi = lo).
                if (bracketed ? slope * (hiStep - loStep) >= 0 : slope >= 0)
                {
                    (hiStep, hiValue, hiSlope) = (loStep, loValue, loSlope);
                    bracketed = true;
                }

                (loStep, loValue, loSlope) = (alpha, value, slope);
            }

            alpha = bracketed
                ? Interpolate(loStep, loValue, loSlope, hiStep, hiValue, hiSlope)
                : alpha * 2;

            if (bracketed && Math.Abs(hiStep - loStep) <= 1e-16 * Math.Max(1.0, Math.Abs(loStep)))
            {
                break;
            }
        }

        if (loStep > 0)
        {
            // No Wolfe point within the budget, but lo decreased f sufficiently: take it (one more pass for its gradient).
            step = loStep;
            double value = Evaluate(x, d, loStep, out _);
            _trial.CopyTo(x, 0);
            _trialGradient.CopyTo(g, 0);
            return value;
        }

        step = 0;
        return null;
    }

    private double Evaluate(double[] x, ReadOnlySpan<double> d, double alpha, out double slope)
    {
        SmallVectors.MultiplyAdd(d, alpha, x, _trial);
        double value = _function.Evaluate(_trial, _trialGradient);
        slope = SmallVectors.Dot(_trialGradient, d);
        return value;
    }

    /// <summary>The minimizer of the cubic through both ends' values and slopes, kept inside the middle 80% of the bracket.</summary>
    private static double Interpolate(double a, double fa, double ga, double b, double fb, double gb)
    {
        double lo = Math.Min(a, b), hi = Math.Max(a, b);
        double margin = 0.1 * (hi - lo);
        double candidate = double.NaN;
        if (double.IsFinite(fb) && double.IsFinite(gb))
        {
            double d1 = ga + gb - (3 * (fa - fb) / (a - b));
            double discriminant = (d1 * d1) - (ga * gb);
            if (discriminant >= 0)
            {
                double d2 = Math.Sign(b - a) * Math.Sqrt(discriminant);
                candidate = b - ((b - a) * (gb + d2 - d1) / (gb - ga + (2 * d2)));
            }
        }

        return double.IsFinite(candidate) && candidate >= lo + margin && candidate <= hi - margin ? candidate : (lo + hi) / 2;
    }
}
