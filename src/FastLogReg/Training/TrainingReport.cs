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

    /// <summary>The objective (weighted mean cross-entropy + the penalty) of the returned model.</summary>
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

    /// <summary>The number of weights of the returned model that are not exactly zero (over all classes); with an L1 penalty, the model's size.</summary>
    public int NonZeroWeights { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Message;
}

/// <summary>The outcome of training: the model and the report of how it was found.</summary>
public sealed class TrainingResult
{
    /// <summary>Creates the result.</summary>
    /// <param name="model">The trained model (on raw features, standardization folded in).</param>
    /// <param name="report">How training went.</param>
    public TrainingResult(ClassificationModel model, TrainingReport report)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(report);
        Classifier = model;
        Report = report;
    }

    /// <summary>The trained model, whatever its kind (binary, multinomial or one-vs-rest).</summary>
    public ClassificationModel Classifier { get; }

    /// <summary>The trained binary model.</summary>
    /// <exception cref="InvalidOperationException">The model has K &gt; 2 classes, or is multinomial: use <see cref="Multiclass"/>.</exception>
    public LogisticModel Model => Classifier as LogisticModel
        ?? throw new InvalidOperationException($"Training produced a {Classifier.ClassCount}-class {Classifier.Kind} model: use Multiclass (or Classifier).");

    /// <summary>The trained K-class model.</summary>
    /// <exception cref="InvalidOperationException">The model is binary: use <see cref="Model"/>.</exception>
    public MulticlassModel Multiclass => Classifier as MulticlassModel
        ?? throw new InvalidOperationException("Training produced a binary model: use Model.");

    /// <summary>How training went.</summary>
    public TrainingReport Report { get; }

    /// <summary>The standardization training used (already folded into the model), or null.</summary>
    public FeatureScaling? Standardization { get; init; }
}
