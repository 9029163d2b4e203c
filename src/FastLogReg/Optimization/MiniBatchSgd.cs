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
public static class MiniBatchSgd
{
    /// <summary>Minimizes <paramref name="function"/> from <paramref name="start"/> with mini-batch steps.</summary>
    /// <param name="function">An average over samples that can be evaluated on a subset.</param>
    /// <param name="start">The starting point.</param>
    /// <param name="learningRate">η₀ &gt; 0.</param>
    /// <param name="batchSize">Samples per batch, ≥ 1.</param>
    /// <param name="schedule">Constant or 1/t decay.</param>
    /// <param name="decay">μ &gt; 0 of the 1/t schedule (a strong-convexity estimate: the L2 strength, say).</param>
    /// <param name="seed">Seed of the shuffling: the same seed gives the same run.</param>
    /// <param name="options">Limits, tolerance and progress; null for the defaults.</param>
    /// <param name="cancellationToken">Checked once per epoch.</param>
    public static OptimizationResult Minimize(
        IStochasticFunction function,
        ReadOnlySpan<double> start,
        double learningRate,
        int batchSize = 256,
        LearningRateSchedule schedule = LearningRateSchedule.InverseTime,
        double decay = 1e-4,
        int seed = 0,
        SolverOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        CountingFunction.CheckStart(function, start);
        GradientDescent.RequireRate(learningRate);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (!Enum.IsDefined(schedule))
        {
            throw new ArgumentOutOfRangeException(nameof(schedule), schedule, "Not a LearningRateSchedule.");
        }

        if (!(double.IsFinite(decay) && decay > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "The decay must be a finite number greater than 0.");
        }

        var counter = new SampleCounter(function);
        return Minimize(counter, start, learningRate, schedule, decay, batchSize, seed, (options ?? new SolverOptions()).Rules(() => counter.Passes, cancellationToken));
    }

    internal static OptimizationResult Minimize(
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

    /// <summary>A user's stochastic function with the passes over its samples counted.</summary>
    private sealed class SampleCounter(IStochasticFunction inner) : IStochasticFunction
    {
        private long _samples;

        public int Dimension => inner.Dimension;

        public int SampleCount => inner.SampleCount;

        public double Passes => (double)_samples / Math.Max(1, inner.SampleCount);

        public double Evaluate(ReadOnlySpan<double> point, Span<double> gradient)
        {
            _samples += inner.SampleCount;
            return inner.Evaluate(point, gradient);
        }

        public double EvaluateSamples(ReadOnlySpan<double> point, Span<double> gradient, ReadOnlySpan<int> samples)
        {
            _samples += samples.Length;
            return inner.EvaluateSamples(point, gradient, samples);
        }
    }
}
