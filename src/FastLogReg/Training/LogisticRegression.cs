using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using FastLogReg.Kernels;
using FastLogReg.Optimizers;

namespace FastLogReg;

/// <summary>
/// Trains binary logistic regression by minimizing
/// <c>f(w, b) = (1/S) Σᵢ sᵢ·[−yᵢ log σ(zᵢ) − (1−yᵢ) log(1−σ(zᵢ))] + (λ/2)‖w‖²</c>, zᵢ = wᵀxᵢ + b.
/// </summary>
public static class LogisticRegression
{
    /// <summary>
    /// Full-batch gradient descent with a fixed learning rate η: every epoch is one fused pass over the data for the loss
    /// and gradient, then w ← w − η·∂f/∂w, b ← b − η·∂f/∂b.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="data">Validated training data.</param>
    /// <param name="options">Learning rate, limits, regularization; null for the defaults.</param>
    /// <param name="cancellationToken">Checked between epochs; cancellation returns the best model so far with
    /// <see cref="StopReason.Cancelled"/> rather than throwing.</param>
    /// <returns>The model and a report. Never a model with NaN weights: divergence returns the best model seen.</returns>
    /// <exception cref="ArgumentException">The warm-start model does not fit the data or the options.</exception>
    public static TrainingResult Train<T>(DenseDataset<T> data, TrainingOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new TrainingOptions();
        var stopwatch = Stopwatch.StartNew();
        int d = data.Columns;
        var objective = new LogisticObjective<T>(data, options.L2, options.FitIntercept, options.MaxDegreeOfParallelism);

        double[] start = new double[objective.Dimension];
        if (options.InitialModel is { } initial)
        {
            if (initial.FeatureCount != d)
            {
                throw new ArgumentException($"The initial model has {initial.FeatureCount} weights but the data has {d} columns.", nameof(options));
            }

            if (!options.FitIntercept && initial.Bias != 0)
            {
                throw new ArgumentException($"The initial model has bias {initial.Bias} but FitIntercept is false, which fixes b = 0.", nameof(options));
            }

            initial.Weights.CopyTo(start);
            if (options.FitIntercept)
            {
                start[d] = initial.Bias;
            }
        }

        OptimizerResult result = GradientDescent.Minimize(objective, start, options.LearningRate, options.MaxEpochs, options.Tolerance, cancellationToken);
        stopwatch.Stop();

        ReadOnlySpan<double> w = result.Point.AsSpan(0, d);
        double bias = options.FitIntercept ? result.Point[d] : 0.0;
        var model = new LogisticModel(w, bias);
        double finalLoss = result.Objective - (0.5 * options.L2 * TensorPrimitives.SumOfSquares(w));
        string message = Describe(result, options, data);
        var report = new TrainingReport(
            result.Iterations,
            result.StopReason,
            result.Objective,
            finalLoss,
            result.GradientNorm,
            result.History,
            objective.Evaluations,
            stopwatch.Elapsed,
            message);
        return new TrainingResult(model, report);
    }

    /// <summary>
    /// A learning rate for which fixed-step gradient descent decreases the objective every epoch:
    /// η = 1/L with L = ‖X̃‖²_F/(4S) + λ ≥ the Lipschitz constant of ∇f, where X̃ is X with a column of ones when the
    /// intercept is fitted and rows are weighted by sᵢ (the Frobenius norm bounds the spectral norm).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="data">The training data.</param>
    /// <param name="l2">λ ≥ 0.</param>
    /// <param name="fitIntercept">Whether the intercept is fitted.</param>
    public static double SafeLearningRate<T>(DenseDataset<T> data, double l2 = 0, bool fitIntercept = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        TrainingOptions.ValidateL2(l2, nameof(l2));
        ReadOnlySpan<T> x = data.Features.Span;
        ReadOnlySpan<T> s = data.SampleWeights.Span;
        int d = data.Columns;
        double total = 0;
        for (int i = 0; i < data.Rows; i++)
        {
            double rowSquares = fitIntercept ? 1.0 : 0.0;
            foreach (T v in x.Slice(i * d, d))
            {
                double dv = FusedLossGradient.ToDouble(v);
                rowSquares += dv * dv;
            }

            total += data.HasSampleWeights ? FusedLossGradient.ToDouble(s[i]) * rowSquares : rowSquares;
        }

        double lipschitz = (total / (4.0 * data.TotalWeight)) + l2;
        return 1.0 / lipschitz;
    }

    private static string Describe<T>(OptimizerResult result, TrainingOptions options, DenseDataset<T> data)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string norm = $"‖∇f‖ = {result.GradientNorm:G3}";
        switch (result.StopReason)
        {
            case StopReason.Converged:
                return $"Converged after {result.Iterations} epochs: {norm} ≤ tolerance {options.Tolerance:G3}; objective {result.Objective:G8}.";
            case StopReason.MaxEpochs:
                return $"Not converged: reached MaxEpochs = {options.MaxEpochs} with {norm} > tolerance {options.Tolerance:G3} (objective {result.Objective:G8}). " +
                    $"To converge: raise MaxEpochs; raise LearningRate toward the safe bound {SafeLearningRate(data, options.L2, options.FitIntercept):G3} " +
                    "(LogisticRegression.SafeLearningRate); standardize features that span very different scales; or loosen Tolerance.";
            case StopReason.Diverged:
                return $"Diverged at epoch {result.History.Count - 1}: the objective went from {result.History[0]:G6} to {result.History[^1]:G6}. " +
                    $"LearningRate = {options.LearningRate:G3} is too large for this data; the safe bound is {SafeLearningRate(data, options.L2, options.FitIntercept):G3} " +
                    $"(LogisticRegression.SafeLearningRate). Returned the best model seen (epoch {result.ReturnedIteration}, objective {result.Objective:G8}).";
            default:
                return $"Cancelled after {result.Iterations} epochs; returned the best model seen (epoch {result.ReturnedIteration}, objective {result.Objective:G8}, {norm}).";
        }
    }
}
