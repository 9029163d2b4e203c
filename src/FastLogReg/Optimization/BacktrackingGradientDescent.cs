using System.Numerics.Tensors;

namespace FastLogReg.Optimization;

/// <summary>
/// Gradient descent with a backtracking (Armijo) line search: from t = 2·(last accepted step), halve t until
/// f(θ − t∇f) ≤ f(θ) − c·t·‖∇f‖² with c = 10⁻⁴. Monotone by construction; each trial is one fused pass, and the accepted
/// trial's gradient is the next iteration's, so no pass is repeated.
/// </summary>
public static class BacktrackingGradientDescent
{
    private const double Armijo = 1e-4;
    private const int MaxHalvings = 60;

    /// <summary>Minimizes <paramref name="function"/> from <paramref name="start"/>; the first trial step is <paramref name="initialStep"/>.</summary>
    /// <param name="function">f and its gradient.</param>
    /// <param name="start">The starting point.</param>
    /// <param name="initialStep">The first trial step length, &gt; 0 (later trials start from twice the last accepted step).</param>
    /// <param name="options">Limits, tolerance and progress; null for the defaults.</param>
    /// <param name="cancellationToken">Checked once per iteration.</param>
    public static OptimizationResult Minimize(IDifferentiableFunction function, ReadOnlySpan<double> start, double initialStep, SolverOptions? options = null, CancellationToken cancellationToken = default)
    {
        CountingFunction.CheckStart(function, start);
        GradientDescent.RequireRate(initialStep);
        var counted = new CountingFunction(function);
        return Minimize(counted, start, initialStep, (options ?? new SolverOptions()).Rules(() => counted.Evaluations, cancellationToken));
    }

    internal static OptimizationResult Minimize(IDifferentiableFunction function, ReadOnlySpan<double> start, double initialStep, StoppingRules rules)
    {
        var monitor = new IterationMonitor(start, rules);
        int n = start.Length;
        double[] point = start.ToArray();
        double[] gradient = new double[n];
        double[] trial = new double[n];
        double[] trialGradient = new double[n];
        double f = function.Evaluate(point, gradient);
        double step = initialStep;
        for (int iteration = 0; ; iteration++)
        {
            if (monitor.Check(iteration, point, f, gradient, out double norm) is { } done)
            {
                return done;
            }

            double squaredNorm = norm * norm;
            step *= 2;
            bool accepted = false;
            for (int halving = 0; halving < MaxHalvings; halving++, step *= 0.5)
            {
                TensorPrimitives.MultiplyAdd(gradient, -step, point, trial);
                double trialValue = function.Evaluate(trial, trialGradient);
                if (trialValue <= f - (Armijo * step * squaredNorm))
                {
                    (point, trial) = (trial, point);
                    (gradient, trialGradient) = (trialGradient, gradient);
                    f = trialValue;
                    accepted = true;
                    break;
                }
            }

            if (!accepted)
            {
                // No step along −∇f decreases f beyond rounding: f is as small as this precision allows.
                return monitor.Finish(StopReason.NoProgress, point, f, norm);
            }
        }
    }
}
