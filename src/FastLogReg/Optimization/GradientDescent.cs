using System.Numerics.Tensors;

namespace FastLogReg.Optimization;

/// <summary>
/// Fixed-step gradient descent, θₖ₊₁ = θₖ − η∇f(θₖ): the textbook method. One pass over the data per iteration.
/// </summary>
public static class GradientDescent
{
    /// <summary>Minimizes <paramref name="function"/> from <paramref name="start"/> with the fixed step <paramref name="learningRate"/>.</summary>
    /// <param name="function">f and its gradient.</param>
    /// <param name="start">The starting point.</param>
    /// <param name="learningRate">η &gt; 0; below 2/L (L the gradient's Lipschitz constant) every step decreases f.</param>
    /// <param name="options">Limits, tolerance and progress; null for the defaults.</param>
    /// <param name="cancellationToken">Checked once per iteration.</param>
    public static OptimizationResult Minimize(IDifferentiableFunction function, ReadOnlySpan<double> start, double learningRate, SolverOptions? options = null, CancellationToken cancellationToken = default)
    {
        CountingFunction.CheckStart(function, start);
        RequireRate(learningRate);
        var counted = new CountingFunction(function);
        return Minimize(counted, start, learningRate, (options ?? new SolverOptions()).Rules(() => counted.Evaluations, cancellationToken));
    }

    /// <summary>Throws unless the rate is finite and positive.</summary>
    internal static void RequireRate(double learningRate)
    {
        if (!(double.IsFinite(learningRate) && learningRate > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be a finite number greater than 0.");
        }
    }

    internal static OptimizationResult Minimize(IDifferentiableFunction function, ReadOnlySpan<double> start, double learningRate, StoppingRules rules)
    {
        var monitor = new IterationMonitor(start, rules);
        double[] point = start.ToArray();
        double[] gradient = new double[point.Length];
        for (int iteration = 0; ; iteration++)
        {
            double f = function.Evaluate(point, gradient);
            if (monitor.Check(iteration, point, f, gradient, out _) is { } done)
            {
                return done;
            }

            // θ ← θ − η∇f(θ)
            TensorPrimitives.MultiplyAdd(gradient, -learningRate, point, point);
        }
    }
}
