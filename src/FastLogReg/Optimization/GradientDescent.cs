using System.Numerics.Tensors;

namespace FastLogReg.Optimization;

/// <summary>
/// Fixed-step gradient descent, θₖ₊₁ = θₖ − η∇f(θₖ): the textbook method. One pass over the data per iteration.
/// </summary>
internal static class GradientDescent
{
    public static OptimizerResult Minimize(IDifferentiableFunction function, ReadOnlySpan<double> start, double learningRate, StoppingRules rules)
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
