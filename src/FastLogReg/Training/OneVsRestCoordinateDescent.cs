using System.Numerics;
using FastLogReg.Numerics;
using FastLogReg.Objective;
using FastLogReg.Optimization;

namespace FastLogReg.Training;

/// <summary>
/// Coordinate descent for one-vs-rest: its K binary problems are independent (the objective and the penalty are sums
/// over the classes), so each is fitted by newGLMNET (<see cref="NewGlmnet{T}"/>) on one shared column copy, class after
/// class, each to its share of the tolerance, τ/√K — the whole pseudo-gradient, whose squared norm is the classes' sum,
/// then meets τ. Each class keeps its solver's state, so a path's next point starts warm.
/// </summary>
/// <remarks>
/// An iteration of the report is one class's fit: its objective and gradient norm are the K-class ones with the classes
/// fitted so far at their solutions and the rest at the start (measured first: one pass per class, whose column sums
/// the class's fit then uses). Passes are counted per class (one class's sweep over the columns is one pass).
/// </remarks>
internal sealed class OneVsRestCoordinateDescent<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly NewGlmnet<T>[] _classes;
    private readonly double[][] _classPoints;
    private readonly double[] _objectives;
    private readonly double[] _norms;
    private readonly int _k;
    private readonly int _d;
    private readonly bool _fitIntercept;

    /// <summary>Creates the solver over a column copy of the data.</summary>
    /// <param name="x">The data by column.</param>
    /// <param name="labels">Class ids 0 … K − 1, one per row.</param>
    /// <param name="classes">K.</param>
    /// <param name="rowWeights">sᵢ·cw(yᵢ)/S: the rows' weights, summing to 1.</param>
    /// <param name="scaling">The standardization the point is in, or null.</param>
    /// <param name="fitIntercept">Whether b is a parameter.</param>
    /// <param name="maxDegreeOfParallelism">Threads for the column sums.</param>
    public OneVsRestCoordinateDescent(ColumnCopy<T> x, ReadOnlySpan<T> labels, int classes, ReadOnlySpan<double> rowWeights, FeatureScaling? scaling, bool fitIntercept, int? maxDegreeOfParallelism)
    {
        int n = x.Rows;
        _k = classes;
        _d = x.Columns;
        _fitIntercept = fitIntercept;
        _classes = new NewGlmnet<T>[classes];
        _classPoints = new double[classes][];
        T[] classLabels = new T[n];
        for (int c = 0; c < classes; c++)
        {
            for (int i = 0; i < n; i++)
            {
                classLabels[i] = int.CreateTruncating(labels[i]) == c ? T.One : T.Zero;
            }

            _classes[c] = new NewGlmnet<T>(x, classLabels, rowWeights, scaling, fitIntercept, maxDegreeOfParallelism);
            _classPoints[c] = new double[_d + (fitIntercept ? 1 : 0)];
        }

        _objectives = new double[classes];
        _norms = new double[classes];
    }

    /// <summary>
    /// Minimizes the one-vs-rest loss + <paramref name="l1"/>‖W‖₁ + <paramref name="l2"/>/2 ‖W‖² from
    /// <paramref name="start"/> (W, K rows of d, then b). The relative tolerance's reference is
    /// <see cref="StoppingRules.ReferenceGradientNorm"/>, else the pseudo-gradient's norm at the start.
    /// </summary>
    public OptimizationResult Minimize(double l1, double l2, ReadOnlySpan<double> start, StoppingRules rules, Action<double> countPasses)
    {
        int k = _k, d = _d;
        double[] point = start.ToArray();

        // Each class's objective and pseudo-gradient at the start (its fit below starts warm from there).
        var measure = rules with { MaxIterations = 0, Tolerance = 0, Progress = null };
        for (int c = 0; c < k; c++)
        {
            start.Slice(c * d, d).CopyTo(_classPoints[c]);
            if (_fitIntercept)
            {
                _classPoints[c][d] = start[(k * d) + c];
            }

            OptimizationResult at = _classes[c].Minimize(l1, l2, _classPoints[c], measure, countPasses);
            at.Point.CopyTo(_classPoints[c], 0);
            (_objectives[c], _norms[c]) = (at.Objective, at.GradientNorm);
        }

        double reference = rules.ReferenceGradientNorm ?? SmallVectors.Norm(_norms);
        double threshold = rules.Tolerance * Math.Max(1.0, double.IsFinite(reference) ? reference : 1.0);
        var monitor = new IterationMonitor(point, rules with { Tolerance = 0, MaxIterations = int.MaxValue }); // convergence and the limit are the classes'
        var classRules = rules with { Tolerance = rules.Tolerance / Math.Sqrt(k), ReferenceGradientNorm = reference, Progress = null };
        OptimizationResult? done = monitor.Check(0, point, _objectives.Sum(), _norms, out double norm);
        StopReason reason = StopReason.Converged;
        for (int c = 0; c < k && done is null; c++)
        {
            OptimizationResult fit = _classes[c].Minimize(l1, l2, _classPoints[c], classRules, countPasses);
            fit.Point.CopyTo(_classPoints[c], 0);
            fit.Point.AsSpan(0, d).CopyTo(point.AsSpan(c * d, d));
            if (_fitIntercept)
            {
                point[(k * d) + c] = fit.Point[d];
            }

            (_objectives[c], _norms[c]) = (fit.Objective, fit.GradientNorm);
            if (fit.StopReason != StopReason.Converged && reason == StopReason.Converged)
            {
                reason = fit.StopReason;
            }

            done = fit.StopReason is StopReason.Cancelled or StopReason.Diverged
                ? monitor.Finish(fit.StopReason, point, _objectives.Sum(), SmallVectors.Norm(_norms))
                : monitor.Check(c + 1, point, _objectives.Sum(), _norms, out norm);
        }

        done ??= monitor.Finish(reason == StopReason.Converged && !(norm <= threshold) ? StopReason.NoProgress : reason, point, _objectives.Sum(), norm);
        return done with { ConvergenceThreshold = threshold };
    }
}
