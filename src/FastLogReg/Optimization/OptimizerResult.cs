namespace FastLogReg.Optimization;

/// <summary>What an optimizer returns: the point it chose, its value and gradient norm, and how it got there.</summary>
internal sealed record OptimizerResult(
    double[] Point,
    double Objective,
    double GradientNorm,
    StopReason StopReason,
    int Iterations,
    IReadOnlyList<double> ObjectiveHistory,
    IReadOnlyList<double> GradientNormHistory,
    int ReturnedIteration,
    double ConvergenceThreshold);
