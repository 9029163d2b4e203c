using System.Diagnostics;

namespace FastLogReg.Optimization;

/// <summary>What every solver is told about when to stop, and whom to tell about its progress.</summary>
/// <param name="MaxIterations">Iteration limit.</param>
/// <param name="Tolerance">Relative gradient tolerance.</param>
/// <param name="ReferenceGradientNorm">‖∇f‖ at w = 0 for the relative tolerance; null when the start is w = 0.</param>
/// <param name="Progress">Receives a report after every iteration, or null.</param>
/// <param name="DataPasses">Passes over the data so far, for the reports.</param>
/// <param name="CancellationToken">Checked once per iteration.</param>
internal sealed record StoppingRules(
    int MaxIterations,
    double Tolerance,
    double? ReferenceGradientNorm,
    IProgress<IterationProgress>? Progress,
    Func<double> DataPasses,
    CancellationToken CancellationToken)
{
    /// <summary>
    /// The clock of the progress reports' elapsed time, started with these rules and shared by the rules derived from them
    /// (<c>with</c>): a solver that goes on from another's point (Auto's hand-overs) reports time from the first one's
    /// start, not from its own.
    /// </summary>
    public Stopwatch Clock { get; init; } = Stopwatch.StartNew();
}
