using System.Buffers;
using System.Numerics;
using FastLogReg.Data;
using FastLogReg.Kernels;
using FastLogReg.Numerics;

namespace FastLogReg.Models;

/// <summary>How well a model fits a labelled data set. All counts and means are weighted by the sample weights, if any.</summary>
/// <param name="Accuracy">Fraction of rows whose predicted class (σ(z) &gt; 0.5) equals the label.</param>
/// <param name="LogLoss">Mean binary cross-entropy, computed stably from the decision values.</param>
/// <param name="Rows">Number of rows evaluated.</param>
/// <param name="TruePositives">Rows labelled 1 and predicted 1.</param>
/// <param name="FalsePositives">Rows labelled 0 and predicted 1.</param>
/// <param name="TrueNegatives">Rows labelled 0 and predicted 0.</param>
/// <param name="FalseNegatives">Rows labelled 1 and predicted 0.</param>
/// <param name="RocAuc">Area under the ROC curve: the probability that a random positive row scores above a random
/// negative one (ties count one half); NaN when a class is absent.</param>
public sealed record ModelEvaluation(
    double Accuracy,
    double LogLoss,
    int Rows,
    double TruePositives,
    double FalsePositives,
    double TrueNegatives,
    double FalseNegatives,
    double RocAuc)
{
    internal static ModelEvaluation Compute<T>(LogisticModel model, Dataset<T> data)
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
            Margins(model, data, z.AsSpan(0, rows));
            ReadOnlySpan<T> labels = data.Labels.Span;
            ReadOnlySpan<T> weights = data.SampleWeights.Span;
            double tp = 0, fp = 0, tn = 0, fn = 0, loss = 0;
            for (int i = 0; i < rows; i++)
            {
                double y = FusedLossGradient.ToDouble(labels[i]);
                double s = data.HasSampleWeights ? FusedLossGradient.ToDouble(weights[i]) : 1.0;
                loss += s * StableLogistic.CrossEntropy(z[i], y);
                bool predicted = z[i] > 0;
                if (y == 1.0)
                {
                    if (predicted)
                    {
                        tp += s;
                    }
                    else
                    {
                        fn += s;
                    }
                }
                else if (predicted)
                {
                    fp += s;
                }
                else
                {
                    tn += s;
                }
            }

            double auc = AreaUnderRoc(z.AsSpan(0, rows), labels, data.HasSampleWeights ? weights : default);
            return new ModelEvaluation((tp + tn) / data.TotalWeight, loss / data.TotalWeight, rows, tp, fp, tn, fn, auc);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(z);
        }
    }

    /// <summary>The model's decision values for every row, through the data's layout (dense rows in parallel batches).</summary>
    private static void Margins<T>(LogisticModel model, Dataset<T> data, Span<double> z)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (data is DenseDataset<T> { IsNative: false } dense)
        {
            model.DecisionFunction(dense.Features.Span, z);
            return;
        }

        var layout = FeatureLayout<T>.For(data);
        for (int c = 0; c < layout.Partition.ChunkCount; c++)
        {
            (int start, int count) = layout.Partition[c];
            layout.Margins(start, count, model.Weights, model.Bias, z.Slice(start, count));
        }
    }

    /// <summary>Weighted Mann–Whitney statistic: Σ over (positive, negative) pairs of [score₊ &gt; score₋] + ½[tie], normalized.</summary>
    private static double AreaUnderRoc<T>(ReadOnlySpan<double> scores, ReadOnlySpan<T> labels, ReadOnlySpan<T> weights)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = scores.Length;
        int[] order = new int[n];
        double[] keys = scores.ToArray();
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        Array.Sort(keys, order);
        double positives = 0, negatives = 0, area = 0;
        for (int start = 0; start < n;)
        {
            int end = start;
            double tiedPositives = 0, tiedNegatives = 0;
            while (end < n && keys[end] == keys[start])
            {
                int i = order[end];
                double s = weights.IsEmpty ? 1.0 : FusedLossGradient.ToDouble(weights[i]);
                if (labels[i] == T.One)
                {
                    tiedPositives += s;
                }
                else
                {
                    tiedNegatives += s;
                }

                end++;
            }

            // Positives in this group beat every negative below it and tie with the negatives inside it.
            area += tiedPositives * (negatives + (0.5 * tiedNegatives));
            positives += tiedPositives;
            negatives += tiedNegatives;
            start = end;
        }

        return positives > 0 && negatives > 0 ? area / (positives * negatives) : double.NaN;
    }
}
