namespace FastLogReg.Optimization;

/// <summary>
/// A differentiable function that is an average over samples, which can also be evaluated on a subset of them
/// (what mini-batch SGD needs).
/// </summary>
public interface IStochasticFunction : IDifferentiableFunction
{
    /// <summary>The number of samples (rows).</summary>
    int SampleCount { get; }

    /// <summary>
    /// The function restricted to <paramref name="samples"/> (the same average and penalty, over those rows only), with
    /// its gradient written into <paramref name="gradient"/>.
    /// </summary>
    /// <param name="point">n parameters.</param>
    /// <param name="gradient">Receives the n partial derivatives.</param>
    /// <param name="samples">Row indices, each in [0, <see cref="SampleCount"/>).</param>
    double EvaluateSamples(ReadOnlySpan<double> point, Span<double> gradient, ReadOnlySpan<int> samples);
}
