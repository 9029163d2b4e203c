using System.Numerics;
using System.Numerics.Tensors;
using FastLogReg.Numerics;
using FastLogReg.Objective;
using FastLogReg.Optimization;

namespace FastLogReg.Training;

/// <summary>
/// Coordinate descent for K-class models with an L1 or elastic-net penalty (glmnet's multinomial fit, with newGLMNET's
/// steps). As a function of class k's weights and intercept alone, the multinomial loss of row i is a binary logistic
/// loss: ℓᵢ = log(1 + e^{mᵢ}) − [yᵢ = k]·mᵢ + const, with the margin mᵢ = zᵢₖ − log Σ_{j≠k} e^{zᵢⱼ} — so class k's block
/// is a binary problem whose margins carry a per-row offset, and one newGLMNET iteration (<see cref="NewGlmnet{T}"/>: the
/// block's Newton model solved by coordinate descent, then a line search on the true objective along it) moves it. A
/// cycle visits the classes in order; every class's penalty is its own, so each step lowers the whole objective.
/// </summary>
/// <remarks>
/// <para>Convergence: each class must meet its share of the tolerance, τ/√K (so the whole pseudo-gradient, whose squared norm
/// is the classes' sum, meets τ), and the fit has converged when a cycle finds every class within its share before any
/// step — then nothing moved during the cycle and the K gradients it measured are all at the returned point. One-vs-rest's
/// classes are independent binary problems (no offset), each solved to its share in the first cycle. An iteration of the
/// report is a cycle; its gradient norm is that of the classes' pseudo-gradients as each found it at its turn (the
/// returned point's own once converged).</para>
/// <para>Passes are counted per class: one class's sweep over the columns is one pass (the fused K-class kernel reads the
/// data once for all K classes; these sweeps read it once per class). The offsets cost K − 1 exponentials per row and
/// visit, vectorized, and no pass. Every step runs on one thread in a fixed order (the column sums on the pool's, per
/// class, as <see cref="NewGlmnet{T}"/>'s), so the result does not depend on the thread count.</para>
/// </remarks>
internal sealed class MultinomialCoordinateDescent<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly NewGlmnet<T>[] _classes;
    private readonly double[][] _scores;   // per class: x̃ᵢᵀwₖ + bₖ at _point
    private readonly double[][] _offsets;  // per class: the offset its solver holds (−log Σ_{j≠k} e^{zᵢⱼ}; 0 for one-vs-rest)
    private readonly bool[] _offsetCurrent; // per class: its solver's state is at _point with the offset of _scores now
    private readonly double[] _max;
    private readonly double[] _sum;
    private readonly double[] _term;
    private readonly double[] _s;
    private readonly int[] _labels;
    private readonly double[] _point;      // W (K rows of d), then b (K)
    private readonly double[] _classPoint;
    private readonly double[] _norms;
    private readonly int _k;
    private readonly int _d;
    private readonly bool _fitIntercept;
    private readonly bool _oneVsRest;
    private bool _current; // _scores are those of _point

    /// <summary>Creates the solver over a column copy of the data.</summary>
    /// <param name="x">The data by column.</param>
    /// <param name="labels">Class ids 0 … K − 1, one per row.</param>
    /// <param name="classes">K.</param>
    /// <param name="rowWeights">sᵢ·cw(yᵢ)/S: the rows' weights, summing to 1.</param>
    /// <param name="scaling">The standardization the point is in, or null.</param>
    /// <param name="fitIntercept">Whether b is a parameter.</param>
    /// <param name="oneVsRest">K binary losses instead of the softmax.</param>
    /// <param name="maxDegreeOfParallelism">Threads for the column sums.</param>
    public MultinomialCoordinateDescent(ColumnCopy<T> x, ReadOnlySpan<T> labels, int classes, ReadOnlySpan<double> rowWeights, FeatureScaling? scaling, bool fitIntercept, bool oneVsRest, int? maxDegreeOfParallelism)
    {
        int n = x.Rows;
        _k = classes;
        _d = x.Columns;
        _fitIntercept = fitIntercept;
        _oneVsRest = oneVsRest;
        _labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            _labels[i] = int.CreateTruncating(labels[i]);
        }

        _s = rowWeights.ToArray();
        _classes = new NewGlmnet<T>[classes];
        _scores = new double[classes][];
        _offsets = new double[classes][];
        _offsetCurrent = new bool[classes];
        T[] classLabels = new T[n];
        for (int c = 0; c < classes; c++)
        {
            for (int i = 0; i < n; i++)
            {
                classLabels[i] = _labels[i] == c ? T.One : T.Zero;
            }

            _classes[c] = new NewGlmnet<T>(x, classLabels, rowWeights, scaling, fitIntercept, maxDegreeOfParallelism);
            _scores[c] = new double[n];
            _offsets[c] = new double[n];
        }

        _max = new double[n];
        _sum = new double[n];
        _term = new double[n];
        _point = new double[(classes * _d) + (fitIntercept ? classes : 0)];
        _classPoint = new double[_d + (fitIntercept ? 1 : 0)];
        _norms = new double[classes];
    }

    /// <summary>
    /// Minimizes the K-class loss + <paramref name="l1"/>‖W‖₁ + <paramref name="l2"/>/2 ‖W‖² from <paramref name="start"/>
    /// (W then b). The relative tolerance's reference is <see cref="StoppingRules.ReferenceGradientNorm"/>, else the
    /// pseudo-gradient's norm at the start. A start equal to the last result continues from its state (no pass).
    /// </summary>
    public OptimizationResult Minimize(double l1, double l2, ReadOnlySpan<double> start, StoppingRules rules, Action<double> countPasses)
    {
        int k = _k;
        if (!(_current && start.SequenceEqual(_point)))
        {
            start.CopyTo(_point);
            for (int c = 0; c < k; c++)
            {
                _classes[c].ScoresAt(ClassPoint(c), _scores[c]);
                _offsetCurrent[c] = false;
                countPasses(1);
            }

            _current = true;
        }

        // The exact pseudo-gradient at the start, class by class (each solver's column sums at its offset, which its first
        // visit uses when nothing has moved since: class 0's in a multinomial cycle, every class's for one-vs-rest).
        var measure = rules with { MaxIterations = 0, Tolerance = 0, Progress = null };
        for (int c = 0; c < k; c++)
        {
            Visit(c, l1, l2, measure, countPasses, maxSteps: 0, forcingReference: 0);
        }

        double startNorm = SmallVectors.Norm(_norms);
        double reference = rules.ReferenceGradientNorm ?? startNorm;
        double threshold = rules.Tolerance * Math.Max(1.0, double.IsFinite(reference) ? reference : 1.0);

        // The monitor keeps the history, reports progress and applies the other rules; convergence is decided here.
        var monitor = new IterationMonitor(_point, rules with { Tolerance = 0 });
        var classRules = rules with { Tolerance = rules.Tolerance / Math.Sqrt(k), ReferenceGradientNorm = reference, Progress = null };
        double[] forcing = new double[k];
        OptimizationResult? done = monitor.Check(0, _point, Objective(l1, l2), _norms, out _);
        if (done is null && startNorm <= threshold)
        {
            done = monitor.Finish(StopReason.Converged, _point, Objective(l1, l2), startNorm);
        }

        for (int cycle = 1; done is null; cycle++)
        {
            bool allConverged = true, anyStep = false;
            StopReason? stopped = null;
            for (int c = 0; c < k; c++)
            {
                OptimizationResult visit = Visit(c, l1, l2, classRules, countPasses, _oneVsRest ? classRules.MaxIterations : 1, forcing[c], out bool stepped);
                if (cycle == 1)
                {
                    forcing[c] = _classes[c].FirstPseudoGradientNorm1;
                }

                anyStep |= stepped;
                allConverged &= visit.StopReason == StopReason.Converged && (_oneVsRest || !stepped);
                if (visit.StopReason is StopReason.Cancelled or StopReason.Diverged)
                {
                    stopped = visit.StopReason;
                    break;
                }
            }

            double f = Objective(l1, l2), norm = SmallVectors.Norm(_norms);
            done = stopped is { } reason ? monitor.Finish(reason, _point, f, norm)
                : monitor.Check(cycle, _point, f, _norms, out _)
                ?? (allConverged ? monitor.Finish(StopReason.Converged, _point, f, norm)
                : !anyStep ? monitor.Finish(StopReason.NoProgress, _point, f, norm)
                : null);
        }

        return done with { ConvergenceThreshold = threshold };
    }

    private OptimizationResult Visit(int c, double l1, double l2, StoppingRules rules, Action<double> countPasses, int maxSteps, double forcingReference) =>
        Visit(c, l1, l2, rules, countPasses, maxSteps, forcingReference, out _);

    /// <summary>
    /// Class <paramref name="c"/>'s turn: its solver set at the current point with the offset of the other classes'
    /// scores (unless already so), up to <paramref name="maxSteps"/> newGLMNET iterations, then its weights and scores
    /// taken back. Its pseudo-gradient's norm (at its last check) goes to <c>_norms[c]</c>.
    /// </summary>
    private OptimizationResult Visit(int c, double l1, double l2, StoppingRules rules, Action<double> countPasses, int maxSteps, double forcingReference, out bool stepped)
    {
        NewGlmnet<T> solver = _classes[c];
        if (!_offsetCurrent[c])
        {
            Offset(c, _offsets[c]);
            solver.StartAt(ClassPoint(c), _scores[c], _offsets[c]);
            _offsetCurrent[c] = true;
        }

        long steps = solver.StepsTaken;
        OptimizationResult result = solver.Minimize(l1, l2, solver.Point, rules, countPasses, forcingReference: forcingReference, maxSteps: maxSteps);
        _norms[c] = result.GradientNorm;
        stepped = solver.StepsTaken != steps;
        if (stepped)
        {
            ReadOnlySpan<double> point = solver.Point;
            point[.._d].CopyTo(_point.AsSpan(c * _d, _d));
            if (_fitIntercept)
            {
                _point[(_k * _d) + c] = point[_d];
            }

            TensorPrimitives.Subtract(solver.CurrentMargins, _offsets[c], _scores[c]);
            if (!_oneVsRest)
            {
                for (int other = 0; other < _k; other++)
                {
                    _offsetCurrent[other] = other == c;
                }
            }
        }

        return result;
    }

    /// <summary>Class c's weights and intercept, gathered from the K-class point.</summary>
    private ReadOnlySpan<double> ClassPoint(int c)
    {
        _point.AsSpan(c * _d, _d).CopyTo(_classPoint);
        if (_fitIntercept)
        {
            _classPoint[_d] = _point[(_k * _d) + c];
        }

        return _classPoint;
    }

    /// <summary>
    /// The offset of class c's margins: −log Σ_{j≠c} e^{zᵢⱼ} (the largest score taken out first), or 0 for one-vs-rest.
    /// </summary>
    private void Offset(int c, double[] offset)
    {
        if (_oneVsRest)
        {
            Array.Clear(offset);
            return;
        }

        LogSumExp(c, offset);
        TensorPrimitives.Negate(offset, offset);
    }

    /// <summary>log Σⱼ e^{zᵢⱼ} over every class but <paramref name="skip"/> (−1: every class) into <paramref name="result"/>.</summary>
    private void LogSumExp(int skip, double[] result)
    {
        bool first = true;
        for (int j = 0; j < _k; j++)
        {
            if (j == skip)
            {
                continue;
            }

            if (first)
            {
                _scores[j].CopyTo(_max, 0);
                first = false;
            }
            else
            {
                TensorPrimitives.Max(_max, _scores[j], _max);
            }
        }

        Array.Clear(_sum);
        for (int j = 0; j < _k; j++)
        {
            if (j != skip)
            {
                TensorPrimitives.Subtract(_scores[j], _max, _term);
                TensorPrimitives.Exp(_term, _term);
                TensorPrimitives.Add(_sum, _term, _sum);
            }
        }

        TensorPrimitives.Log(_sum, _sum);
        TensorPrimitives.Add(_max, _sum, result);
    }

    /// <summary>The objective at the current point, from the scores: Σ sᵢ ℓᵢ + the penalty.</summary>
    private double Objective(double l1, double l2)
    {
        int n = _s.Length;
        double loss = 0;
        if (_oneVsRest)
        {
            for (int c = 0; c < _k; c++)
            {
                double[] z = _scores[c];
                for (int i = 0; i < n; i++)
                {
                    double zi = z[i];
                    loss += _s[i] * (Math.Max(zi, 0) + Math.Log(1 + Math.Exp(-Math.Abs(zi))) - (_labels[i] == c ? zi : 0));
                }
            }
        }
        else
        {
            LogSumExp(-1, _term);
            for (int i = 0; i < n; i++)
            {
                loss += _s[i] * (_term[i] - _scores[_labels[i]][i]);
            }
        }

        ReadOnlySpan<double> w = _point.AsSpan(0, _k * _d);
        return loss + (l1 * TensorPrimitives.SumOfMagnitudes(w)) + (0.5 * l2 * TensorPrimitives.SumOfSquares(w));
    }
}
