namespace FastLogReg;

/// <summary>A snapshot reported after every iteration through <see cref="TrainingOptions.Progress"/>.</summary>
/// <param name="Iteration">Iterations completed (0 = the starting point).</param>
/// <param name="Objective">The objective at the current iterate.</param>
/// <param name="GradientNorm">‖∇f‖ at the current iterate.</param>
/// <param name="DataPasses">Passes over the data so far (a mini-batch counts as its fraction of a pass).</param>
/// <param name="Elapsed">Time since training started.</param>
public readonly record struct TrainingProgress(int Iteration, double Objective, double GradientNorm, double DataPasses, TimeSpan Elapsed);
