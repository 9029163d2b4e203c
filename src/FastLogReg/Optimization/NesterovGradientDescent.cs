using System.Numerics.Tensors;

namespace FastLogReg.Optimization;

/// <summary>
/// Nesterov's accelerated gradient method with a fixed step η and gradient-based adaptive restart
/// (O'Donoghue &amp; Candès, 2015):
/// <code>
/// xₖ₊₁ = yₖ − η∇f(yₖ);   tₖ₊₁ = (1 + √(1 + 4tₖ²))/2;   yₖ₊₁ = xₖ₊₁ + ((tₖ − 1)/tₖ₊₁)(xₖ₊₁ − xₖ)
/// restart (tₖ₊₁ = 1, yₖ₊₁ = xₖ₊₁) whenever ∇f(yₖ)ᵀ(xₖ₊₁ − xₖ) &gt; 0, i.e. the momentum points uphill.
/// </code>
/// One pass per iteration (at yₖ); the monitor sees f and ∇f at yₖ, and yₖ is the point returned.
/// </summary>
public static class NesterovGradientDescent
{
    /// <summary>Minimizes <paramref name="function"/> from <paramref name="start"/> with the fixed step <paramref name="learningRate"/>.</summary>
    /// <param name="function">f and its gradient.</param>
    /// <param name="start">The starting point.</param>
    /// <param name="learningRate">η &gt; 0, at most 1/L for the accelerated rate.</param>
    /// <param name="options">Limits, tolerance and progress; null for the defaults.</param>
    /// <param name="cancellationToken">Checked once per iteration.</param>
    public static OptimizationResult Minimize(IDifferentiableFunction function, ReadOnlySpan<double> start, double learningRate, SolverOptions? options = null, CancellationToken cancellationToken = default)
    {
        CountingFunction.CheckStart(function, start);
        GradientDescent.RequireRate(learningRate);
        var counted = new CountingFunction(function);
        return Minimize(counted, start, learningRate, (options ?? new SolverOptions()).Rules(() => counted.Evaluations, cancellationToken));
    }

    internal static OptimizationResult Minimize(IDifferentiableFunction function, ReadOnlySpan<double> start, double learningRate, StoppingRules rules)
    {
        var monitor = new IterationMonitor(start, rules);
        int n = start.Length;
        double[] y = start.ToArray();
        double[] x = start.ToArray();
        double[] next = new double[n];
        double[] gradient = new double[n];
        double[] move = new double[n];
        double t = 1;
        for (int iteration = 0; ; iteration++)
        {
            double f = function.Evaluate(y, gradient);
            if (monitor.Check(iteration, y, f, gradient, out _) is { } done)
            {
                return done;
            }

            TensorPrimitives.MultiplyAdd(gradient, -learningRate, y, next); // xₖ₊₁ = yₖ − η∇f(yₖ)
            TensorPrimitives.Subtract(next, x, move);                        // xₖ₊₁ − xₖ
            double tNext = (1 + Math.Sqrt(1 + (4 * t * t))) / 2;
            double momentum = (t - 1) / tNext;
            if (TensorPrimitives.Dot<double>(gradient, move) > 0)
            {
                tNext = 1;
                momentum = 0;
            }

            TensorPrimitives.MultiplyAdd(move, momentum, next, y);          // yₖ₊₁ = xₖ₊₁ + β(xₖ₊₁ − xₖ)
            (x, next) = (next, x);
            t = tNext;
        }
    }
}
