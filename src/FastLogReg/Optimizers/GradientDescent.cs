using System.Numerics.Tensors;

namespace FastLogReg.Optimizers;

/// <summary>
/// Fixed-step gradient descent, θₖ₊₁ = θₖ − η∇f(θₖ): the textbook method. One evaluation of f and ∇f per epoch.
/// </summary>
/// <remarks>
/// Stops when ‖∇f(θₖ)‖₂ ≤ tolerance (converged), after <c>maxEpochs</c> steps, on cancellation (checked between
/// epochs), or on divergence: f(θₖ) is NaN/∞ or exceeds f(θ₀) + max(f(θ₀), 1). On divergence and cancellation the
/// best point seen is returned; otherwise the last one. Allocates only at the start (and the history list's growth).
/// </remarks>
internal static class GradientDescent
{
    public static OptimizerResult Minimize(
        IDifferentiableFunction function,
        ReadOnlySpan<double> start,
        double learningRate,
        int maxEpochs,
        double tolerance,
        CancellationToken cancellationToken)
    {
        int n = function.Dimension;
        double[] point = start.ToArray();
        double[] gradient = new double[n];
        double[] best = start.ToArray();
        var history = new List<double>(Math.Min(maxEpochs, 1 << 16) + 1);

        // Until a finite objective is seen, the best point is the start (never a NaN point).
        double bestObjective = double.PositiveInfinity;
        double bestGradientNorm = double.PositiveInfinity;
        int bestIteration = 0;
        double divergenceLimit = double.PositiveInfinity;

        for (int epoch = 0; ; epoch++)
        {
            double f = function.Evaluate(point, gradient);
            history.Add(f);
            if (epoch == 0)
            {
                divergenceLimit = f + Math.Max(Math.Abs(f), 1.0);
            }

            if (!double.IsFinite(f) || f > divergenceLimit)
            {
                return new OptimizerResult(best, bestObjective, bestGradientNorm, StopReason.Diverged, epoch, history, bestIteration);
            }

            double gradientNorm = TensorPrimitives.Norm<double>(gradient);
            if (!double.IsFinite(gradientNorm))
            {
                return new OptimizerResult(best, bestObjective, bestGradientNorm, StopReason.Diverged, epoch, history, bestIteration);
            }

            if (f < bestObjective)
            {
                bestObjective = f;
                bestGradientNorm = gradientNorm;
                bestIteration = epoch;
                point.CopyTo(best, 0);
            }

            if (gradientNorm <= tolerance)
            {
                return new OptimizerResult(point, f, gradientNorm, StopReason.Converged, epoch, history, epoch);
            }

            if (epoch == maxEpochs)
            {
                return new OptimizerResult(point, f, gradientNorm, StopReason.MaxEpochs, epoch, history, epoch);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return new OptimizerResult(best, bestObjective, bestGradientNorm, StopReason.Cancelled, epoch, history, bestIteration);
            }

            // θ ← θ − η∇f(θ)
            TensorPrimitives.MultiplyAdd(gradient, -learningRate, point, point);
        }
    }
}
