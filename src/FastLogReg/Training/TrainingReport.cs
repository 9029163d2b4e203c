namespace FastLogReg;

/// <summary>How a training run went.</summary>
public sealed class TrainingReport
{
    internal TrainingReport(
        int epochs,
        StopReason stopReason,
        double finalObjective,
        double finalLoss,
        double finalGradientNorm,
        IReadOnlyList<double> objectiveHistory,
        long dataPasses,
        TimeSpan elapsed,
        string message)
    {
        Epochs = epochs;
        StopReason = stopReason;
        FinalObjective = finalObjective;
        FinalLoss = finalLoss;
        FinalGradientNorm = finalGradientNorm;
        ObjectiveHistory = objectiveHistory;
        DataPasses = dataPasses;
        Elapsed = elapsed;
        Message = message;
    }

    /// <summary>Gradient steps taken.</summary>
    public int Epochs { get; }

    /// <summary>Why training stopped.</summary>
    public StopReason StopReason { get; }

    /// <summary>Whether <see cref="StopReason"/> is <see cref="FastLogReg.StopReason.Converged"/>.</summary>
    public bool Converged => StopReason == StopReason.Converged;

    /// <summary>The objective (mean cross-entropy + (λ/2)‖w‖²) of the returned model.</summary>
    public double FinalObjective { get; }

    /// <summary>The (weighted) mean cross-entropy of the returned model on the training data, without the penalty.</summary>
    public double FinalLoss { get; }

    /// <summary>‖∇f‖ (w and b) at the returned model.</summary>
    public double FinalGradientNorm { get; }

    /// <summary>
    /// The objective at the start (index 0) and after every epoch (index k = after k steps); its length is
    /// <see cref="Epochs"/> + 1.
    /// </summary>
    public IReadOnlyList<double> ObjectiveHistory { get; }

    /// <summary>Passes over the data (evaluations of loss and gradient together).</summary>
    public long DataPasses { get; }

    /// <summary>Wall-clock time of the run.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>A sentence saying why training stopped and, when it did not converge, what to do about it.</summary>
    public string Message { get; }

    /// <inheritdoc/>
    public override string ToString() => Message;
}

/// <summary>The outcome of training: the model and the report of how it was found.</summary>
/// <param name="Model">The trained model.</param>
/// <param name="Report">How training went.</param>
public sealed record TrainingResult(LogisticModel Model, TrainingReport Report);
