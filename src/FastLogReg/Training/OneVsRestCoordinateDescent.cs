using System.Numerics;
using FastLogReg.Numerics;
using FastLogReg.Objective;
using FastLogReg.Optimization;

namespace FastLogReg.Training;

/// <summary>
/// Coordinate descent for one-vs-rest: its K binary problems are independent (the objective and the penalty are sums
/// over the classes), so each is fitted by newGLMNET (<see cref="NewGlmnet{T}"/>) on one shared column copy, class after
/// class, each to its share of the tolerance, τ/√K — the whole pseudo-gradient, whose squared norm is the classes' sum,
/// then meets τ. Each class keeps its solver's state between its steps and between fits, so a path's next point starts
/// warm.
/// </summary>
/// <remarks>
/// The classes step in rounds: an iteration of the report is one newGLMNET iteration of every class not yet within its
/// share (so <see cref="StoppingRules.MaxIterations"/> bounds each class's iterations, as the K-class solvers' do), its
/// objective and gradient norm the K-class ones after the round. The start is measured first (one pass per class, whose
/// column sums each class's first step then uses). Passes are counted per class (one class's sweep over the columns is
/// one pass).
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

        // Each class's objective and pseudo-gradient at the start (its first step below starts warm from there).
        var measure = rules with { MaxIterations = 0, Tolerance = 0, Progress = null };
        for (int c = 0; c < k; c++)
        {
            start.Slice(c * d, d).CopyTo(_classPoints[c]);
            if (_fitIntercept)
            {
                _classPoints[c][d] = start[(k * d) + c];
            }

            OptimizationResult at = _classes[c].Minimize(l1, l2, _classPoints[c], measure, countPasses);
            (_objectives[c], _norms[c]) = (at.Objective, at.GradientNorm);
        }

        double reference = rules.ReferenceGradientNorm ?? SmallVectors.Norm(_norms);
        double threshold = rules.Tolerance * Math.Max(1.0, double.IsFinite(reference) ? reference : 1.0);
        double share = threshold / Math.Sqrt(k);
        var classRules = rules with { MaxIterations = 1, Tolerance = rules.Tolerance / Math.Sqrt(k), ReferenceGradientNorm = reference, Progress = null };
        bool[] finished = new bool[k];
        double[] forcing = new double[k];
        for (int c = 0; c < k; c++)
        {
            finished[c] = _norms[c] <= share;
        }

        // Rounds: each class not yet within its share takes one newGLMNET iteration. The classes are independent, so
        // when every class is within its share the whole pseudo-gradient is within the tolerance.
        var monitor = new IterationMonitor(point, rules with { Tolerance = 0 }); // convergence is decided here
        StopReason reason = StopReason.Converged;
        OptimizationResult? done = monitor.Check(0, point, _objectives.Sum(), _norms, out _);
        for (int round = 1; done is null; round++)
        {
            if (Array.TrueForAll(finished, f => f))
            {
                done = monitor.Finish(reason, point, _objectives.Sum(), SmallVectors.Norm(_norms));
                break;
            }

            for (int c = 0; c < k; c++)
            {
                if (finished[c])
                {
                    continue;
                }

                OptimizationResult step = _classes[c].Minimize(l1, l2, _classPoints[c], classRules, countPasses, forcingReference: forcing[c], resume: round > 1);
                if (round == 1)
                {
                    forcing[c] = _classes[c].FirstPseudoGradientNorm1;
                }

                step.Point.CopyTo(_classPoints[c], 0);
                step.Point.AsSpan(0, d).CopyTo(point.AsSpan(c * d, d));
                if (_fitIntercept)
                {
                    point[(k * d) + c] = step.Point[d];
                }

                (_objectives[c], _norms[c]) = (step.Objective, step.GradientNorm);
                if (step.StopReason is StopReason.Cancelled or StopReason.Diverged)
                {
                    done = monitor.Finish(step.StopReason, point, _objectives.Sum(), SmallVectors.Norm(_norms));
                    break;
                }

                if (step.StopReason is StopReason.Converged or StopReason.NoProgress)
                {
                    finished[c] = true;
                    reason = step.StopReason == StopReason.NoProgress ? StopReason.NoProgress : reason;
                }
            }

            done ??= monitor.Check(round, point, _objectives.Sum(), _norms, out _);
        }

        return done with { ConvergenceThreshold = threshold };
    }
}
