using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;

namespace FastLogReg.Training;

/// <summary>How a training run went.</summary>
public sealed class TrainingReport
{
    internal TrainingReport(
        Solver solver,
        int iterations,
        StopReason stopReason,
        double finalObjective,
        double finalLoss,
        double finalGradientNorm,
        double convergenceThreshold,
        IReadOnlyList<double> objectiveHistory,
        IReadOnlyList<double> gradientNormHistory,
        double dataPasses,
        TimeSpan elapsed,
        string message)
    {
        Solver = solver;
        Iterations = iterations;
        StopReason = stopReason;
        FinalObjective = finalObjective;
        FinalLoss = finalLoss;
        FinalGradientNorm = finalGradientNorm;
        ConvergenceThreshold = convergenceThreshold;
        ObjectiveHistory = objectiveHistory;
        GradientNormHistory = gradientNormHistory;
        DataPasses = dataPasses;
        Elapsed = elapsed;
        Message = message;
    }

    /// <summary>The solver that ran.</summary>
    public Solver Solver { get; }

    /// <summary>Iterations completed (gradient steps, quasi-Newton steps, or SGD epochs).</summary>
    public int Iterations { get; }

    /// <summary>Why training stopped.</summary>
    public StopReason StopReason { get; }

    /// <summary>Whether <see cref="StopReason"/> is <see cref="Optimization.StopReason.Converged"/>.</summary>
    public bool Converged => StopReason == StopReason.Converged;

    /// <summary>The objective (weighted mean cross-entropy + (λ/2)‖w‖²) of the returned model.</summary>
    public double FinalObjective { get; }

    /// <summary>The weighted mean cross-entropy of the returned model on the training data, without the penalty.</summary>
    public double FinalLoss { get; }

    /// <summary>‖∇f‖ (w and b, in the standardized space when standardizing) at the returned model.</summary>
    public double FinalGradientNorm { get; }

    /// <summary>The convergence threshold Tolerance · max(1, ‖∇f(0)‖).</summary>
    public double ConvergenceThreshold { get; }

    /// <summary>The objective at the start (index 0) and after every iteration (index k); length <see cref="Iterations"/> + 1.</summary>
    public IReadOnlyList<double> ObjectiveHistory { get; }

    /// <summary>‖∇f‖ at the start and after every iteration, aligned with <see cref="ObjectiveHistory"/>.</summary>
    public IReadOnlyList<double> GradientNormHistory { get; }

    /// <summary>Passes over the data: full evaluations (each iteration and line-search trial) plus mini-batches as fractions.</summary>
    public double DataPasses { get; }

    /// <summary>Wall-clock time of the run, standardization included.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>A sentence saying why training stopped and, when it did not converge, what to do about it.</summary>
    public string Message { get; }

    /// <inheritdoc/>
    public override string ToString() => Message;
}

/// <summary>The outcome of training: the model and the report of how it was found.</summary>
/// <param name="Model">The trained model (on raw features, standardization folded in).</param>
/// <param name="Report">How training went.</param>
public sealed record TrainingResult(LogisticModel Model, TrainingReport Report)
{
    /// <summary>The standardization training used (already folded into <see cref="Model"/>), or null.</summary>
    public FeatureScaling? Standardization { get; init; }
}
