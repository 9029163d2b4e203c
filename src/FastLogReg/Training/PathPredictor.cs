namespace FastLogReg.Training;

/// <summary>
/// The regularization path's predictor: from the last solution w (at λ) and the ones before it (w₀ at λ₀, w₁ at λ₁, …,
/// newest first), the start for the next λ″ extrapolated by the polynomial in ln λ through them (in λ for an explicit
/// grid's jump towards 0, see <see cref="Prepare"/>) — the secant w + t(w − w₀), t = ln(λ″/λ) / ln(λ/λ₀), when the
/// non-zero weights changed between w₀ and w (the path has a kink there), else the quadratic or cubic through the
/// solutions since the last change. With an L1 share a weight at zero stays there, and so does one the extrapolation
/// would carry across zero (without one the path is smooth through zero: on the K-class ridge path of digits, stopping
/// there gave isolated starts 100–1,000 times the tolerance away); the intercept (past the weights) is extrapolated
/// too. The secant's start is second order in the step of λ away from the new optimum, the cubic's fourth. Measured on
/// the default lasso paths (with the polynomial in λ), coordinate descent's outer iterations with degree 1 / 2 / 3 / 4:
/// raw breast cancer 216 / 162 / 131 / 127, standardized 369 / 348 / 341 / 339, raw digits 3 vs 8 285 / 244 / 225 / 226
/// — so at most the cubic.
/// </summary>
internal sealed class PathPredictor
{
    /// <summary>The highest degree: the cubic through the last four solutions.</summary>
    public const int MaxDegree = 3;

    /// <summary>The largest step of λ, relative to the last one, that the predictor extrapolates over.</summary>
    private const double MaxRatio = 2;

    /// <summary>
    /// The largest Σᵢ |Lᵢ(λ″)| a degree may have: how much the history's errors (each solution's to its tolerance) can
    /// be amplified in the start. Evenly spaced ln λ (the default grids) give at most 39 (the cubic two steps ahead; 11
    /// one step ahead); nodes within a sliver of each other (an explicit grid such as 0.3, 0.3(1 + 10⁻⁹), …) give 10⁹
    /// and more, and a start thrown 10⁴ away that exact Newton and OWL-QN, which take it unchecked, did not recover
    /// from (a hostile review).
    /// </summary>
    private const double MaxAmplification = 64;

    private readonly double[][] _solutions = new double[MaxDegree][];
    private readonly double[] _lambdas = new double[MaxDegree];
    private readonly double[] _nodes = new double[MaxDegree]; // the history's λ in the polynomial's variable (Prepare)
    private readonly double[] _lagrange = new double[MaxDegree];
    private readonly int _weights;
    private readonly bool _smooth;
    private int _count;
    private int _degree;

    /// <param name="weights">The number of weights d; a solution's entries past them (the intercept) are never zeroed.</param>
    /// <param name="smooth">
    /// No L1 share (ρ = 0): the path is smooth through zero, and a weight is carried across it. With an L1 share a weight
    /// that would cross zero stops there (the path has a kink at zero).
    /// </param>
    public PathPredictor(int weights, bool smooth = false) => (_weights, _smooth) = (weights, smooth);

    /// <summary>The highest degree used (1: the secant; for tests and probes).</summary>
    public int HighestDegree { get; set; } = MaxDegree;

    /// <summary>
    /// Prepares the extrapolation from <paramref name="last"/>, solved at <paramref name="solvedLambda"/>, to
    /// <paramref name="lambda"/>, and returns its degree — 0 when there is none (no earlier solution, a step outside
    /// (0, 2] times the last one's in ln λ and in λ, or even the secant's weights past the amplification limit).
    /// </summary>
    public int Prepare(ReadOnlySpan<double> last, double solvedLambda, double lambda)
    {
        _degree = 0;
        double[] nodes = _lambdas;
        if (_count == 0)
        {
            return 0;
        }

        // The polynomial's variable: ln λ where the step in it is within the ratio (every default grid: 1), else λ where
        // the step is (an explicit grid's jump towards 0: in ln λ a step from 1 to 10⁻³⁰⁰ is 10³ times the last), else none.
        double tLog = (Math.Log(lambda) - Math.Log(solvedLambda)) / (Math.Log(solvedLambda) - Math.Log(nodes[0]));
        double tLinear = (lambda - solvedLambda) / (solvedLambda - nodes[0]);
        bool inLog = lambda > 0 && tLog > 0 && tLog <= MaxRatio;
        if (!inLog && !(tLinear > 0 && tLinear <= MaxRatio))
        {
            return 0;
        }

        // The nodes in that variable, once: where the L2 share dominates, w ≈ −∇/λ, which a polynomial in ln λ follows far
        // closer than one in λ (K-class ridge path on digits: 1,768 → 1,270 passes).
        double x = inLog ? Math.Log(lambda) : lambda, solved = inLog ? Math.Log(solvedLambda) : solvedLambda;
        double[] v = _nodes;
        for (int i = 0; i < _count; i++)
        {
            v[i] = inLog ? Math.Log(nodes[i]) : nodes[i];
        }

        // The degree: 1, raised while the older solutions have the same non-zero weights as the last (the path smooth
        // between them) and their λ keep rising, by steps within the ratio of the one before (a polynomial through nodes
        // far from the one extrapolated from swings: a second review's grid [10⁻³⁰⁰, 10⁻²⁹⁹, 10⁻¹², 10⁻⁶, 0.01] gave a
        // cubic in ln λ whose start exact Newton ended at from an objective of 5.3, with the secant 10⁻⁷).
        int degree = 1;
        int highest = Math.Min(_count, Math.Clamp(HighestDegree, 1, MaxDegree));
        while (degree < highest && Comparable(v[degree] - v[degree - 1], v[degree - 1] - (degree == 1 ? solved : v[degree - 2]))
            && SameZeros(last, _solutions[degree - 1]) && SameZeros(last, _solutions[degree]))
        {
            degree++;
        }

        // A degree whose Lagrange weights do not come out finite, or amplify the history's errors more than evenly spaced
        // λ do, is lowered; none at all when even the secant's do.
        while (!LagrangeWeights(x, solved, degree))
        {
            if (--degree == 0)
            {
                return 0;
            }
        }

        _degree = degree;
        return degree;
    }

    /// <summary>
    /// Entry <paramref name="j"/>'s move from <paramref name="w"/> (its value in the last solution) by the prepared
    /// extrapolation, Σᵢ Lᵢ(λ″)·(wᵢ[j] − w); with an L1 share, 0 for a weight at zero and for a move across zero.
    /// </summary>
    public double Step(int j, double w)
    {
        if (j < _weights && w == 0 && !_smooth)
        {
            return 0;
        }

        double step = 0;
        for (int i = 0; i < _degree; i++)
        {
            step += _lagrange[i] * (_solutions[i][j] - w);
        }

        return j < _weights && !_smooth && Math.Sign(w + step) != Math.Sign(w) ? 0 : step;
    }

    /// <summary>
    /// The start for <paramref name="lambda"/>: <paramref name="last"/> (solved at <paramref name="solvedLambda"/>) moved by the
    /// extrapolation into <paramref name="scratch"/>, or <paramref name="last"/> itself when there is none; then
    /// <paramref name="last"/> joins the history.
    /// </summary>
    public double[] StartFor(double[] last, double solvedLambda, double lambda, double[] scratch)
    {
        double[] from = last;
        if (Prepare(last, solvedLambda, lambda) > 0)
        {
            for (int j = 0; j < last.Length; j++)
            {
                scratch[j] = last[j] + Step(j, last[j]);
            }

            from = scratch;
        }

        Push(last, solvedLambda);
        return from;
    }

    /// <summary>Adds <paramref name="solution"/>, solved at <paramref name="lambda"/>, as the newest of the history (NaN clears it).</summary>
    public void Push(ReadOnlySpan<double> solution, double lambda)
    {
        double[] oldest = _solutions[^1] ?? new double[solution.Length];
        Array.Copy(_solutions, 0, _solutions, 1, MaxDegree - 1);
        Array.Copy(_lambdas, 0, _lambdas, 1, MaxDegree - 1);
        solution.CopyTo(oldest);
        _solutions[0] = oldest;
        _lambdas[0] = lambda;
        _count = double.IsNaN(lambda) ? 0 : Math.Min(_count + 1, MaxDegree);
    }

    /// <summary>Forgets the history (the next point does not follow the last).</summary>
    public void Clear() => _count = 0;

    /// <summary>
    /// The Lagrange weights at <paramref name="x"/> of the first <paramref name="degree"/> nodes (in the polynomial's
    /// variable) among those and <paramref name="solved"/>; false when one is not finite or their magnitudes sum past
    /// <see cref="MaxAmplification"/>.
    /// </summary>
    private bool LagrangeWeights(double x, double solved, int degree)
    {
        double[] nodes = _nodes;
        double amplification = 0;
        for (int i = 0; i < degree; i++)
        {
            double li = (x - solved) / (nodes[i] - solved);
            for (int k = 0; k < degree; k++)
            {
                if (k != i)
                {
                    li *= (x - nodes[k]) / (nodes[i] - nodes[k]);
                }
            }

            _lagrange[i] = li;
            amplification += Math.Abs(li);
        }

        return amplification <= MaxAmplification; // false for NaN too
    }

    /// <summary>Whether a step of the nodes is within the ratio of the one after it (both positive: the older node's λ is the larger).</summary>
    private static bool Comparable(double older, double newer) => older > 0 && newer > 0 && older <= MaxRatio * newer && newer <= MaxRatio * older;

    /// <summary>Whether the weights of the two are zero in the same places.</summary>
    private bool SameZeros(ReadOnlySpan<double> a, double[] b)
    {
        for (int j = 0; j < _weights; j++)
        {
            if ((a[j] == 0) != (b[j] == 0))
            {
                return false;
            }
        }

        return true;
    }
}
