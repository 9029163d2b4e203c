namespace FastLogReg.Optimization;

/// <summary>What a solver returns: the point it chose, its value and gradient norm, and how it got there.</summary>
/// <param name="Point">The returned point: the last iterate, or the best one seen after a divergence, a cancellation or a stall.</param>
/// <param name="Objective">f at <paramref name="Point"/>.</param>
/// <param name="GradientNorm">‖∇f‖ at <paramref name="Point"/>.</param>
/// <param name="StopReason">Why the solver stopped.</param>
/// <param name="Iterations">Iterations completed.</param>
/// <param name="ObjectiveHistory">f at the start (index 0) and after every iteration.</param>
/// <param name="GradientNormHistory">‖∇f‖ at the start and after every iteration.</param>
/// <param name="ReturnedIteration">The iteration whose point is returned.</param>
/// <param name="ConvergenceThreshold">Tolerance · max(1, ‖∇f‖ at the reference point).</param>
public sealed record OptimizationResult(
    double[] Point,
    double Objective,
    double GradientNorm,
    StopReason StopReason,
    int Iterations,
    IReadOnlyList<double> ObjectiveHistory,
    IReadOnlyList<double> GradientNormHistory,
    int ReturnedIteration,
    double ConvergenceThreshold)
{
    /// <summary>Whether <see cref="StopReason"/> is <see cref="Optimization.StopReason.Converged"/>.</summary>
    public bool Converged => StopReason == StopReason.Converged;

    /// <summary>
    /// <paramref name="second"/>, a solver that went on from <paramref name="first"/>'s point, as one run: both solvers'
    /// iterations counted and their histories joined (the second's starting point, the first's returned one, once).
    /// </summary>
    /// <param name="first">The first solver's result.</param>
    /// <param name="second">The result of the solver that went on from its point.</param>
    /// <param name="restated">The second evaluated the junction point differently (the float pass, then the double one):
    /// its value there replaces the first's last entry, so the histories end on the function the result is reported in.</param>
    internal static OptimizationResult Join(OptimizationResult first, OptimizationResult second, bool restated = false) => second with
    {
        Iterations = first.Iterations + second.Iterations,
        ReturnedIteration = first.Iterations + second.ReturnedIteration,
        ObjectiveHistory = restated ? [.. first.ObjectiveHistory.SkipLast(1), .. second.ObjectiveHistory] : [.. first.ObjectiveHistory, .. second.ObjectiveHistory.Skip(1)],
        GradientNormHistory = restated ? [.. first.GradientNormHistory.SkipLast(1), .. second.GradientNormHistory] : [.. first.GradientNormHistory, .. second.GradientNormHistory.Skip(1)],
    };
}
