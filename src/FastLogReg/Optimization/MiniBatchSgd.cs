using System.Numerics.Tensors;

namespace FastLogReg.Optimization;

/// <summary>
/// Mini-batch stochastic gradient descent. Each epoch: one full pass for the objective and gradient (what the monitor and
/// the report see, and the convergence test), then the rows are shuffled (Fisher–Yates with a seeded
/// <see cref="Random"/>, so a seed reproduces the run) and visited in batches, each a step θ ← θ − ηₜ∇f_B(θ) with
/// ηₜ = η₀ (constant) or ηₜ = η₀/(1 + η₀·μ·t), t counting batch steps — Bottou's schedule for a μ-strongly convex
/// objective, with μ = max(λ, 1/S) (the L2 strength, floored so that the rate still decays when λ = 0).
/// Converges sublinearly; the returned model is the last iterate.
/// </summary>
internal static class MiniBatchSgd
{
    public static OptimizerResult Minimize(
        IStochasticFunction function,
        ReadOnlySpan<double> start,
        double learningRate,
        LearningRateSchedule schedule,
        double decay,
        int batchSize,
        int seed,
        StoppingRules rules)
    {
        var monitor = new IterationMonitor(start, rules);
        int n = start.Length;
        int rows = function.SampleCount;
        batchSize = Math.Min(batchSize, rows);
        int batches = (rows + batchSize - 1) / batchSize;
        double[] point = start.ToArray();
        double[] gradient = new double[n];
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            order[i] = i;
        }

        var random = new Random(seed);
        long step = 0;
        for (int epoch = 0; ; epoch++)
        {
            double f = function.Evaluate(point, gradient);
            if (monitor.Check(epoch, point, f, gradient, out _) is { } done)
            {
                return done;
            }

            random.Shuffle(order);
            for (int b = 0; b < batches; b++, step++)
            {
                int first = b * batchSize;
                ReadOnlySpan<int> batch = order.AsSpan(first, Math.Min(batchSize, rows - first));
                function.EvaluateSamples(point, gradient, batch);
                double rate = schedule == LearningRateSchedule.Constant ? learningRate : learningRate / (1 + (learningRate * decay * step));
                TensorPrimitives.MultiplyAdd(gradient, -rate, point, point);
            }
        }
    }
}
