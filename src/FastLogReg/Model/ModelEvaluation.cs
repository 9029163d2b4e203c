using System.Buffers;
using System.Numerics;
using FastLogReg.Kernels;
using FastLogReg.Numerics;

namespace FastLogReg;

/// <summary>How well a model fits a labelled data set.</summary>
/// <param name="Accuracy">Fraction of rows (by sample weight, if any) whose predicted class equals the label.</param>
/// <param name="LogLoss">Mean binary cross-entropy (by sample weight, if any), computed stably from the decision values.</param>
/// <param name="Rows">Number of rows evaluated.</param>
public sealed record ModelEvaluation(double Accuracy, double LogLoss, int Rows)
{
    internal static ModelEvaluation Compute<T>(LogisticModel model, DenseDataset<T> data)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Columns != model.FeatureCount)
        {
            throw new ArgumentException($"The data set has {data.Columns} columns but the model was trained on {model.FeatureCount} features.", nameof(data));
        }

        int rows = data.Rows;
        double[] z = ArrayPool<double>.Shared.Rent(rows);
        try
        {
            model.DecisionFunction(data.Features.Span, z.AsSpan(0, rows));
            ReadOnlySpan<T> labels = data.Labels.Span;
            ReadOnlySpan<T> weights = data.SampleWeights.Span;
            double correct = 0, loss = 0;
            for (int i = 0; i < rows; i++)
            {
                double y = FusedLossGradient.ToDouble(labels[i]);
                double s = data.HasSampleWeights ? FusedLossGradient.ToDouble(weights[i]) : 1.0;
                loss += s * StableLogistic.CrossEntropy(z[i], y);
                if ((z[i] > 0) == (y == 1.0))
                {
                    correct += s;
                }
            }

            return new ModelEvaluation(correct / data.TotalWeight, loss / data.TotalWeight, rows);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(z);
        }
    }
}
