namespace FastLogReg.Optimization;

/// <summary>A snapshot a solver reports after every iteration (through <c>TrainingOptions.Progress</c> when training).</summary>
/// <param name="Iteration">Iterations completed (0 = the starting point).</param>
/// <param name="Objective">The objective at the current iterate.</param>
/// <param name="GradientNorm">‖∇f‖ at the current iterate.</param>
/// <param name="DataPasses">Passes over the data so far (a mini-batch counts as its fraction of a pass); for a function that is not an average over data, its evaluations.</param>
/// <param name="Elapsed">Time since the solver started.</param>
public readonly record struct IterationProgress(int Iteration, double Objective, double GradientNorm, double DataPasses, TimeSpan Elapsed);
