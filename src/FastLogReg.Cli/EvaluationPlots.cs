using System.Globalization;
using FastLogReg.Data;
using FastLogReg.Models;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Annotations;
using OxyPlot.Series;

namespace FastLogReg.Cli;

/// <summary>
/// <c>evaluate --plot</c> (the ROC curve) and <c>--calibration</c> (the reliability diagram). For K classes: one
/// one-vs-rest ROC curve per class, and the calibration of the predicted class's probability (top-label calibration).
/// </summary>
internal static class EvaluationPlots
{
    private const int Bins = 10;

    private static readonly OxyColor[] Palette =
    [
        OxyColors.SteelBlue, OxyColors.DarkOrange, OxyColors.ForestGreen, OxyColors.Firebrick, OxyColors.MediumPurple,
        OxyColors.SaddleBrown, OxyColors.HotPink, OxyColors.Gray, OxyColors.Olive, OxyColors.DarkCyan,
    ];

    /// <summary>The probabilities of every row: n values P(y = 1) for a binary model, n × K for a K-class one.</summary>
    public static double[] Probabilities(ClassificationModel model, Dataset<double> data)
    {
        int k = model is MulticlassModel ? model.ClassCount : 1;
        double[] p = new double[(long)data.Rows * k];
        switch (model, data)
        {
            case (LogisticModel binary, DenseDataset<double> dense):
                binary.PredictProbabilities<double>(dense.Features.Span, p);
                break;
            case (LogisticModel binary, SparseDataset<double> sparse):
                binary.PredictProbabilities(sparse.Matrix, p);
                break;
            case (MulticlassModel multi, DenseDataset<double> dense):
                multi.PredictProbabilitiesBatch<double>(dense.Features.Span, p);
                break;
            case (MulticlassModel multi, SparseDataset<double> sparse):
                multi.PredictProbabilities(sparse.Matrix, p);
                break;
            default:
                throw new NotSupportedException($"{model.GetType().Name} on {data.GetType().Name}");
        }

        return p;
    }

    /// <summary>The ROC curve (one per class for K classes), the area in each legend entry.</summary>
    public static PlotModel Roc(ClassificationModel model, Dataset<double> data, IReadOnlyList<string> classNames)
    {
        double[] p = Probabilities(model, data);
        ReadOnlySpan<double> labels = data.Labels.Span;
        var plot = new PlotModel { Title = "ROC curve", Background = OxyColors.White };
        plot.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "false positive rate", Minimum = 0, Maximum = 1 });
        plot.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "true positive rate", Minimum = 0, Maximum = 1, AxisTitleDistance = 12 });
        plot.Series.Add(new LineSeries { Points = { new DataPoint(0, 0), new DataPoint(1, 1) }, Color = OxyColors.Gray, LineStyle = LineStyle.Dash });
        int k = model is MulticlassModel ? model.ClassCount : 1;
        for (int c = 0; c < k; c++)
        {
            double positiveLabel = k == 1 ? 1 : c;
            double[] scores = new double[data.Rows];
            bool[] positive = new bool[data.Rows];
            for (int i = 0; i < data.Rows; i++)
            {
                scores[i] = p[(i * k) + c];
                positive[i] = labels[i] == positiveLabel;
            }

            (List<DataPoint> curve, double area) = Curve(scores, positive);
            string name = k == 1 ? classNames[1] : classNames[c];
            int positives = positive.Count(v => v);
            bool defined = positives > 0 && positives < positive.Length;
            OxyColor color = Palette[c % Palette.Length];
            var line = new LineSeries { StrokeThickness = 2, Color = color };
            if (defined)
            {
                line.Points.AddRange(curve); // with one class only there is no curve
            }

            plot.Series.Add(line);

            // Labels as annotations, not a legend: the exporter measures legend text in points and clips it in pixels.
            plot.Annotations.Add(new TextAnnotation
            {
                Text = defined
                    ? string.Create(CultureInfo.InvariantCulture, $"{(k == 1 ? "positive" : "class")} '{name}': AUC {area:F4}")
                    : $"{(k == 1 ? "positive" : "class")} '{name}': AUC undefined ({(positives == 0 ? "no rows of this class" : "no rows of other classes")})",
                TextPosition = new DataPoint(0.55, 0.04 + (0.06 * (k - 1 - c))),
                TextHorizontalAlignment = HorizontalAlignment.Left,
                TextColor = color,
                Stroke = OxyColors.Transparent,
                FontSize = 11,
            });
        }

        return plot;
    }

    /// <summary>
    /// The reliability diagram: rows binned by predicted probability (ten equal bins), the observed frequency against the
    /// mean prediction per bin, the diagonal of perfect calibration, and the expected calibration error in the title.
    /// </summary>
    public static PlotModel Calibration(ClassificationModel model, Dataset<double> data)
    {
        double[] p = Probabilities(model, data);
        ReadOnlySpan<double> labels = data.Labels.Span;
        int k = model is MulticlassModel ? model.ClassCount : 1;
        double[] sumPredicted = new double[Bins], sumObserved = new double[Bins];
        int[] count = new int[Bins];
        for (int i = 0; i < data.Rows; i++)
        {
            double predicted;
            bool observed;
            if (k == 1)
            {
                predicted = p[i];
                observed = labels[i] == 1;
            }
            else
            {
                int top = MulticlassModel.ArgMaxOf(p.AsSpan(i * k, k));
                predicted = p[(i * k) + top];
                observed = labels[i] == top;
            }

            int bin = Math.Min(Bins - 1, (int)(predicted * Bins));
            sumPredicted[bin] += predicted;
            sumObserved[bin] += observed ? 1 : 0;
            count[bin]++;
        }

        double ece = 0;
        var points = new ScatterSeries { MarkerType = MarkerType.Circle, MarkerFill = OxyColors.SteelBlue };
        var line = new LineSeries { Color = OxyColors.SteelBlue, StrokeThickness = 2 };
        int largest = count.Max();
        for (int b = 0; b < Bins; b++)
        {
            if (count[b] == 0)
            {
                continue;
            }

            double meanPredicted = sumPredicted[b] / count[b], frequency = sumObserved[b] / count[b];
            ece += count[b] * Math.Abs(meanPredicted - frequency) / data.Rows;
            line.Points.Add(new DataPoint(meanPredicted, frequency));
            points.Points.Add(new ScatterPoint(meanPredicted, frequency, 3 + (9 * Math.Sqrt((double)count[b] / largest))));
        }

        string what = k == 1 ? "P(y = 1)" : "the predicted class's probability";
        var plot = new PlotModel
        {
            Title = "Calibration (reliability diagram)",
            Subtitle = string.Create(CultureInfo.InvariantCulture, $"{what}, ten bins; expected calibration error {ece:F4}"),
            Background = OxyColors.White,
        };
        plot.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "mean predicted probability", Minimum = 0, Maximum = 1 });
        plot.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = k == 1 ? "observed fraction of y = 1" : "observed accuracy", Minimum = 0, Maximum = 1, AxisTitleDistance = 12 });
        plot.Series.Add(new LineSeries { Points = { new DataPoint(0, 0), new DataPoint(1, 1) }, Color = OxyColors.Gray, LineStyle = LineStyle.Dash });
        plot.Annotations.Add(new TextAnnotation { Text = "dashed: perfectly calibrated; dots grow with the rows in the bin", TextPosition = new DataPoint(0.02, 0.95), TextHorizontalAlignment = HorizontalAlignment.Left, Stroke = OxyColors.Transparent, FontSize = 11 });
        plot.Series.Add(line);
        plot.Series.Add(points);
        return plot;
    }

    /// <summary>The ROC points (one per distinct score, ties taken together) and the area under them (trapezoids).</summary>
    internal static (List<DataPoint> Curve, double Area) Curve(double[] scores, bool[] positive)
    {
        int[] order = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ToArray();
        double positives = positive.Count(x => x), negatives = positive.Length - positives;
        var curve = new List<DataPoint> { new(0, 0) };
        double tp = 0, fp = 0, area = 0;
        for (int q = 0; q < order.Length;)
        {
            double score = scores[order[q]];
            for (; q < order.Length && scores[order[q]] == score; q++)
            {
                if (positive[order[q]])
                {
                    tp++;
                }
                else
                {
                    fp++;
                }
            }

            double x = negatives == 0 ? 0 : fp / negatives, y = positives == 0 ? 0 : tp / positives;
            area += (x - curve[^1].X) * (y + curve[^1].Y) / 2;
            curve.Add(new DataPoint(x, y));
        }

        return (curve, area);
    }
}
