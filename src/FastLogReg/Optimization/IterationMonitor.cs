using FastLogReg.Numerics;
using System.Diagnostics;

namespace FastLogReg.Optimization;

/// <summary>
/// The stopping rules, history, best point and progress reports that all solvers share. A solver calls
/// <see cref="Check"/> once per iteration with the iterate, its objective and its gradient, and returns the result it
/// gets back, if any. The rules, in order:
/// <list type="number">
/// <item>Diverged: f is NaN/∞, ‖∇f‖ is NaN/∞, or (for primal descent methods) f &gt; f₀ + max(|f₀|, 1).</item>
/// <item>Converged: ‖∇f‖ ≤ tol · max(1, ‖∇f₀‖), ∇f₀ the gradient at w = 0 (given by the caller for a warm start,
/// otherwise the first observation's).</item>
/// <item>MaxIterations: the iteration limit is reached.</item>
/// <item>NoProgress (primal descent methods): over the last <see cref="StallWindow"/> iterations the best objective has not improved by even an
/// ulp (<see cref="StallTolerance"/>, relative) and the smallest gradient norm has not fallen by
/// <see cref="GradientStallTolerance"/> — nothing left but rounding. (A smaller window would stop first-order methods
/// while their steps, too small to move f, still move w usefully; the gradient condition keeps non-monotone methods
/// going after a lucky overshoot set a best objective that the iterates are still approaching.)</item>
/// <item>Cancelled: the token was signalled (checked once per iteration).</item>
/// </list>
/// </summary>
internal sealed class IterationMonitor
{
    /// <summary>Iterations over which the best objective must improve.</summary>
    public const int StallWindow = 50;

    /// <summary>Relative improvement regarded as rounding noise: one ulp.</summary>
    public const double StallTolerance = 2.220446049250313e-16;

    /// <summary>Relative decrease of the smallest gradient norm that still counts as progress.</summary>
    public const double GradientStallTolerance = 1e-3;

    /// <summary>Entries the history reserves at first.</summary>
    private const int InitialHistory = 16;

    private readonly StoppingRules _rules;
    private readonly List<double> _objectives;
    private readonly List<double> _gradientNorms;
    private readonly List<double> _runningBest;
    private readonly List<double> _runningBestNorm;
    private double[]? _best; // handed to the result by Finish (a fresh copy of a large model costs its page faults)
    private double[]? _handedOut;
    private bool _handedOutBest;
    private double _bestObjective = double.PositiveInfinity;
    private double _bestGradientNorm = double.PositiveInfinity;
    private int _bestIteration;
    private double _divergenceLimit = double.PositiveInfinity;
    private readonly bool _primalDescent;

    /// <param name="start">The starting point (the best point until a finite objective is seen).</param>
    /// <param name="rules">The stopping rules.</param>
    /// <param name="primalDescent">
    /// Whether the iterates descend the objective, so that one above f₀ + max(|f₀|, 1) is divergence and a best objective
    /// that stops improving is a stall. False for dual coordinate descent, whose primal points go up and down while its
    /// dual objective falls: only the gradient, the iteration limit and cancellation stop it.
    /// </param>
    public IterationMonitor(ReadOnlySpan<double> start, StoppingRules rules, bool primalDescent = true)
    {
        _rules = rules;
        _primalDescent = primalDescent;
        // The history grows as needed: a warm-started fit of a path takes a handful of iterations, and reserving room for
        // the iteration limit cost 2 MB per fit (the page faults of fresh memory took a fifth of a small path's time).
        int capacity = Math.Min(rules.MaxIterations, InitialHistory - 1) + 1;
        _objectives = new List<double>(capacity);
        _gradientNorms = new List<double>(capacity);
        _runningBest = new List<double>(capacity);
        _runningBestNorm = new List<double>(capacity);
        _best = start.ToArray(); // until a finite objective is seen, the best point is the start (never a NaN point)
    }

    /// <summary>tol · max(1, ‖∇f₀‖), known after the first observation.</summary>
    public double ConvergenceThreshold { get; private set; } = double.NaN;

    /// <summary>The latest iteration observed.</summary>
    public int Iteration { get; private set; }

    /// <summary>
    /// Records an iterate and its gradient; returns the solver's final result when a stopping rule fires, otherwise null
    /// (and the gradient's norm, which some solvers need for their step).
    /// </summary>
    /// <param name="iteration">The iteration (0: the start).</param>
    /// <param name="point">The iterate.</param>
    /// <param name="objective">f there.</param>
    /// <param name="gradient">∇f there.</param>
    /// <param name="gradientNorm">Receives ‖∇f‖.</param>
    /// <param name="confirmed">The solver's own second convergence test (trust-region Newton's, in its preconditioner's
    /// norm): without it a gradient under the threshold does not end the run.</param>
    public OptimizationResult? Check(int iteration, ReadOnlySpan<double> point, double objective, ReadOnlySpan<double> gradient, out double gradientNorm, bool confirmed = true)
    {
        gradientNorm = SmallVectors.Norm(gradient);
        return Observe(iteration, point, objective, gradientNorm, confirmed) is { } reason ? Finish(reason, point, objective, gradientNorm) : null;
    }

    private StopReason? Observe(int iteration, ReadOnlySpan<double> point, double objective, double gradientNorm, bool confirmed = true)
    {
        Iteration = iteration;
        _objectives.Add(objective);
        _gradientNorms.Add(gradientNorm);
        if (iteration == 0)
        {
            double reference = _rules.ReferenceGradientNorm ?? gradientNorm;
            ConvergenceThreshold = _rules.Tolerance * Math.Max(1.0, double.IsFinite(reference) ? reference : 1.0);
            _divergenceLimit = _primalDescent ? objective + Math.Max(Math.Abs(objective), 1.0) : double.PositiveInfinity;
        }

        _rules.Progress?.Report(new IterationProgress(iteration, objective, gradientNorm, _rules.DataPasses(), _rules.Clock.Elapsed));

        if (!double.IsFinite(objective) || !double.IsFinite(gradientNorm) || objective > _divergenceLimit)
        {
            return StopReason.Diverged;
        }

        if (objective < _bestObjective)
        {
            _bestObjective = objective;
            _bestGradientNorm = gradientNorm;
            _bestIteration = iteration;
            point.CopyTo(_best ?? throw new InvalidOperationException("The monitor has finished."));
        }

        _runningBest.Add(_bestObjective);
        _runningBestNorm.Add(Math.Min(gradientNorm, _runningBestNorm.Count == 0 ? double.PositiveInfinity : _runningBestNorm[^1]));
        if (gradientNorm <= ConvergenceThreshold && confirmed)
        {
            return StopReason.Converged;
        }

        if (iteration >= _rules.MaxIterations)
        {
            return StopReason.MaxIterations;
        }

        int now = _runningBest.Count - 1;
        if (_primalDescent && now >= StallWindow)
        {
            bool objectiveStalled = _runningBest[now - StallWindow] - _bestObjective <= StallTolerance * Math.Abs(_bestObjective);
            bool gradientStalled = _runningBestNorm[now] >= (1 - GradientStallTolerance) * _runningBestNorm[now - StallWindow];
            if (objectiveStalled && gradientStalled)
            {
                return StopReason.NoProgress;
            }
        }

        return _rules.CancellationToken.IsCancellationRequested ? StopReason.Cancelled : null;
    }

    /// <summary>
    /// The result for a stop: the best point seen after divergence, cancellation or a stall (for a non-monotone method it
    /// may be better than the last) — and at the iteration limit when the iterates are not primal descent steps —
    /// otherwise the current one.
    /// </summary>
    public OptimizationResult Finish(StopReason reason, ReadOnlySpan<double> point, double objective, double gradientNorm)
    {
        bool best = reason is StopReason.Diverged or StopReason.Cancelled
            || ((reason == StopReason.NoProgress || (reason == StopReason.MaxIterations && !_primalDescent)) && _bestObjective < objective);
        double[] returned;
        if (_best is not null)
        {
            // The monitor's last use: the best-point buffer becomes the result's point.
            if (!best)
            {
                point.CopyTo(_best);
            }

            returned = _handedOut = _best;
            _handedOutBest = best;
            _best = null;
        }
        else
        {
            // Finish again (a solver replacing the result it got from Check): the first result keeps its array.
            returned = !best ? point.ToArray()
                : !_handedOutBest ? throw new InvalidOperationException("The best point was handed out overwritten by the last one.")
                : (double[])_handedOut!.Clone();
        }

        return new OptimizationResult(
            returned,
            best ? _bestObjective : objective,
            best ? _bestGradientNorm : gradientNorm,
            reason,
            Iteration,
            _objectives,
            _gradientNorms,
            best ? _bestIteration : Iteration,
            ConvergenceThreshold);
    }
}
