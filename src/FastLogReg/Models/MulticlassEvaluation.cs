using System.Numerics;
using FastLogReg.Data;

namespace FastLogReg.Models;

/// <summary>Precision, recall, F1 and support of one class.</summary>
/// <param name="Precision">Of the rows predicted as the class, the fraction that are (NaN when none is predicted).</param>
/// <param name="Recall">Of the rows of the class, the fraction predicted as it (NaN when the class has no rows).</param>
/// <param name="F1">The harmonic mean of precision and recall (0 when both are 0; NaN when either is undefined).</param>
/// <param name="Support">The (weighted) number of rows of the class.</param>
public readonly record struct ClassScores(double Precision, double Recall, double F1, double Support);

/// <summary>
/// How well a K-class model fits labelled data: accuracy, mean log-loss, the K × K confusion matrix (rows: actual
/// class, columns: predicted), per-class precision, recall and F1, and their macro (unweighted) and support-weighted
/// averages. Counts and means are weighted by the sample weights, if any.
/// </summary>
public sealed class MulticlassEvaluation
{
    private MulticlassEvaluation(double accuracy, double logLoss, int rows, double[,] confusion, ClassScores[] perClass)
    {
        Accuracy = accuracy;
        LogLoss = logLoss;
        Rows = rows;
        ConfusionMatrix = confusion;
        PerClass = perClass;
        double support = perClass.Sum(c => c.Support);
        ClassScores[] defined = perClass.Where(c => c.Support > 0).ToArray();
        MacroF1 = defined.Average(c => double.IsNaN(c.F1) ? 0 : c.F1);
        MacroPrecision = defined.Average(c => double.IsNaN(c.Precision) ? 0 : c.Precision);
        MacroRecall = defined.Average(c => c.Recall);
        WeightedF1 = defined.Sum(c => (double.IsNaN(c.F1) ? 0 : c.F1) * c.Support) / support;
        WeightedPrecision = defined.Sum(c => (double.IsNaN(c.Precision) ? 0 : c.Precision) * c.Support) / support;
        WeightedRecall = defined.Sum(c => c.Recall * c.Support) / support;
    }

    /// <summary>Fraction of rows whose predicted class is their label.</summary>
    public double Accuracy { get; }

    /// <summary>Mean cross-entropy −log p(y | x).</summary>
    public double LogLoss { get; }

    /// <summary>Rows evaluated.</summary>
    public int Rows { get; }

    /// <summary>[actual, predicted] (weighted) counts.</summary>
    public double[,] ConfusionMatrix { get; }

    /// <summary>Scores of each class, in class order.</summary>
    public IReadOnlyList<ClassScores> PerClass { get; }

    /// <summary>Mean F1 over the classes present (undefined precision counts as 0).</summary>
    public double MacroF1 { get; }

    /// <summary>Mean precision over the classes present.</summary>
    public double MacroPrecision { get; }

    /// <summary>Mean recall over the classes present.</summary>
    public double MacroRecall { get; }

    /// <summary>F1 averaged with each class weighted by its support.</summary>
    public double WeightedF1 { get; }

    /// <summary>Precision averaged with each class weighted by its support.</summary>
    public double WeightedPrecision { get; }

    /// <summary>Recall averaged with each class weighted by its support (= accuracy).</summary>
    public double WeightedRecall { get; }

    internal static MulticlassEvaluation Compute<T>(MulticlassModel model, Dataset<T> data)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Columns != model.FeatureCount)
        {
            throw new ArgumentException($"The data set has {data.Columns} columns but the model was trained on {model.FeatureCount} features.", nameof(data));
        }

        if (data.ClassCount > model.ClassCount)
        {
            throw new ArgumentException($"The data set has {data.ClassCount} classes but the model {model.ClassCount}.", nameof(data));
        }

        int k = model.ClassCount;
        double[] scores = model.Scores(data);
        var confusion = new double[k, k];
        double correct = 0, loss = 0, total = 0;
        ReadOnlySpan<T> labels = data.Labels.Span;
        ReadOnlySpan<T> weights = data.SampleWeights.Span;
        for (int i = 0; i < data.Rows; i++)
        {
            Span<double> z = scores.AsSpan(i * k, k);
            int predicted = MulticlassModel.ArgMax(z);
            int y = int.CreateTruncating(labels[i]);
            double s = data.HasSampleWeights ? double.CreateTruncating(weights[i]) : 1.0;
            confusion[y, predicted] += s;
            correct += y == predicted ? s : 0;
            loss += s * model.NegativeLogProbability(z, y);
            total += s;
        }

        var perClass = new ClassScores[k];
        for (int c = 0; c < k; c++)
        {
            double tp = confusion[c, c], support = 0, predicted = 0;
            for (int j = 0; j < k; j++)
            {
                support += confusion[c, j];
                predicted += confusion[j, c];
            }

            double precision = predicted > 0 ? tp / predicted : double.NaN;
            double recall = support > 0 ? tp / support : double.NaN;
            double f1 = double.IsNaN(precision) || double.IsNaN(recall) ? double.NaN : precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            perClass[c] = new ClassScores(precision, recall, f1, support);
        }

        return new MulticlassEvaluation(correct / total, loss / total, data.Rows, confusion, perClass);
    }
}
