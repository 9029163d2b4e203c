using System.Globalization;
using System.Text;
using FastLogReg.Data;
using FastLogReg.IO;
using FastLogReg.Models;
using FastLogReg.Training;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;
using OxyPlot;

namespace FastLogReg.Cli;

/// <summary>
/// The plots people draw by hand when they learn this algorithm, with OxyPlot's SVG exporter: the objective over the
/// iterations and, for data with two features, the points of both classes with the decision boundary wᵀx + b = 0.
/// </summary>
internal static partial class SvgPlot
{
    private const double Width = 640, Height = 420;

    /// <summary>
    /// The font the exporter measures text with (its PDF metrics are Helvetica's): with it named in the SVG, viewers
    /// draw text as wide as the layout allowed (with "Segoe UI", absent off Windows, legends were cut off).
    /// </summary>
    private const string MeasuredFont = "Arial";

    public static void Write(string path, TrainingReport report, LogisticModel? model, LoadedData data)
    {
        var panels = new List<PlotModel> { LossCurve(report) };
        if (data.Data.Columns == 2 && model is not null)
        {
            panels.Add(Boundary(model, data));
        }

        WriteGrid(path, panels, panels.Count, title: null);
    }

    /// <summary>
    /// Panels side by side, <paramref name="columns"/> to a row, under an optional title, to one SVG file written
    /// atomically.
    /// </summary>
    public static void WriteGrid(string path, IReadOnlyList<PlotModel> panels, int columns, string? title)
    {
        const double TitleHeight = 32;
        int rows = (panels.Count + columns - 1) / columns;
        double top = title is null ? 0 : TitleHeight;
        var c = CultureInfo.InvariantCulture;
        var svg = new StringBuilder();
        svg.Append(c, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width * Math.Min(columns, panels.Count)}\" height=\"{top + (Height * rows)}\"><rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        if (title is not null)
        {
            svg.Append(c, $"<text x=\"12\" y=\"22\" font-family=\"{MeasuredFont}\" font-size=\"16\" font-weight=\"bold\">")
                .Append(System.Security.SecurityElement.Escape(XmlText(title))).Append("</text>");
        }

        for (int k = 0; k < panels.Count; k++)
        {
            // Each panel is a document of its own: drop its XML declaration (only the file's first line may hold one) and
            // give its clip paths ids of their own (every panel numbers its own from 1).
            panels[k].DefaultFont = MeasuredFont;
            MakeTextsXml(panels[k]);
            string panel = SvgExporter.ExportToString(panels[k], Width, Height, false, null, true);
            panel = XmlDeclaration().Replace(panel, string.Empty)
                .Replace("id=\"clipPath", $"id=\"panel{k}-clipPath", StringComparison.Ordinal)
                .Replace("url(#clipPath", $"url(#panel{k}-clipPath", StringComparison.Ordinal);
            svg.Append(c, $"<g transform=\"translate({Width * (k % columns)},{top + (Height * (k / columns))})\">").Append(panel).Append("</g>");
        }

        svg.Append("</svg>");
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            writer.Write(svg.ToString());
        });
    }

    /// <summary>One plot to an SVG file, written atomically.</summary>
    public static void WriteSingle(string path, PlotModel plot)
    {
        plot.DefaultFont = MeasuredFont;
        MakeTextsXml(plot);
        string svg = SvgExporter.ExportToString(plot, Width, Height, false, null, true);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            writer.Write(svg);
        });
    }

    /// <summary>
    /// <paramref name="text"/> with every character XML 1.0 cannot hold (C0 controls but tab, line feed and carriage
    /// return; U+FFFE, U+FFFF; unpaired surrogates) replaced by U+FFFD — label values and file names reach plot titles and
    /// legends, and the SVG writer stops with an exception at such a character.
    /// </summary>
    internal static string XmlText(string text)
    {
        StringBuilder? clean = null;
        for (int i = 0; i < text.Length; i++)
        {
            char ch = text[i];
            bool pair = char.IsHighSurrogate(ch) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            bool valid = pair || (ch >= 0x20 ? !char.IsSurrogate(ch) && ch != '\uFFFE' && ch != '\uFFFF' : ch is '\t' or '\n' or '\r');
            if (!valid)
            {
                clean ??= new StringBuilder(text, 0, i, text.Length);
                clean.Append('\uFFFD');
            }
            else
            {
                clean?.Append(ch);
                if (pair)
                {
                    clean?.Append(text[i + 1]);
                    i++;
                }
            }
        }

        return clean?.ToString() ?? text;
    }

    /// <summary>Every text of <paramref name="plot"/> (titles, axis titles, series titles, annotations, legend titles) through <see cref="XmlText"/>.</summary>
    private static void MakeTextsXml(PlotModel plot)
    {
        plot.Title = plot.Title is null ? null : XmlText(plot.Title);
        plot.Subtitle = plot.Subtitle is null ? null : XmlText(plot.Subtitle);
        foreach (Axis axis in plot.Axes)
        {
            axis.Title = axis.Title is null ? null : XmlText(axis.Title);
        }

        foreach (Series series in plot.Series)
        {
            series.Title = series.Title is null ? null : XmlText(series.Title);
        }

        foreach (OxyPlot.Annotations.Annotation annotation in plot.Annotations)
        {
            if (annotation is OxyPlot.Annotations.TextualAnnotation textual && textual.Text is not null)
            {
                textual.Text = XmlText(textual.Text);
            }
        }

        foreach (Legend legend in plot.Legends)
        {
            legend.LegendTitle = legend.LegendTitle is null ? null : XmlText(legend.LegendTitle);
        }
    }

    private static PlotModel LossCurve(TrainingReport report)
    {
        var plot = new PlotModel { Title = $"Objective per iteration ({report.Solver})", Background = OxyColors.White };
        plot.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "iteration" });
        plot.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "mean cross-entropy + penalty" });
        var line = new LineSeries { Color = OxyColors.SteelBlue, StrokeThickness = 2, MarkerType = report.ObjectiveHistory.Count <= 60 ? MarkerType.Circle : MarkerType.None, MarkerSize = 3 };
        for (int k = 0; k < report.ObjectiveHistory.Count; k++)
        {
            if (double.IsFinite(report.ObjectiveHistory[k]))
            {
                line.Points.Add(new DataPoint(k, report.ObjectiveHistory[k]));
            }
        }

        plot.Series.Add(line);
        return plot;
    }

    private static PlotModel Boundary(LogisticModel model, LoadedData data)
    {
        var plot = new PlotModel { Title = "Decision boundary wᵀx + b = 0", Background = OxyColors.White };
        plot.Legends.Add(new Legend { LegendPosition = LegendPosition.TopRight });
        plot.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = data.FeatureNames[0] });
        plot.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = data.FeatureNames[1] });
        var negative = new ScatterSeries { Title = data.Labels.Negative, MarkerType = MarkerType.Circle, MarkerFill = OxyColors.IndianRed, MarkerSize = 3 };
        var positive = new ScatterSeries { Title = data.Labels.Positive, MarkerType = MarkerType.Triangle, MarkerFill = OxyColors.SeaGreen, MarkerSize = 3 };
        double[] x = TwoColumns(data.Data);
        ReadOnlySpan<double> y = data.Data.Labels.Span;
        double minX = double.PositiveInfinity, maxX = double.NegativeInfinity;
        for (int i = 0; i < data.Data.Rows; i++)
        {
            (y[i] == 1 ? positive : negative).Points.Add(new ScatterPoint(x[2 * i], x[(2 * i) + 1]));
            minX = Math.Min(minX, x[2 * i]);
            maxX = Math.Max(maxX, x[2 * i]);
        }

        plot.Series.Add(negative);
        plot.Series.Add(positive);
        double w0 = model.Weights[0], w1 = model.Weights[1], b = model.Bias;
        if (w1 != 0)
        {
            var boundary = new LineSeries { Title = "σ = 0.5", Color = OxyColors.Black, StrokeThickness = 2 };
            boundary.Points.Add(new DataPoint(minX, -(b + (w0 * minX)) / w1));
            boundary.Points.Add(new DataPoint(maxX, -(b + (w0 * maxX)) / w1));
            plot.Series.Add(boundary);
        }

        return plot;
    }

    /// <summary>The rows of two-feature data as (x₀, x₁) pairs, dense or sparse.</summary>
    private static double[] TwoColumns(Dataset<double> data)
    {
        if (data is DenseDataset<double> dense)
        {
            return dense.Features.ToArray();
        }

        var sparse = (SparseDataset<double>)data;
        double[] x = new double[2 * sparse.Rows];
        for (int i = 0; i < sparse.Rows; i++)
        {
            SparseRow<double> row = sparse.Matrix.GetRow(i);
            for (int k = 0; k < row.Indices.Length; k++)
            {
                x[(2 * i) + row.Indices[k]] = row.Values[k];
            }
        }

        return x;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"<\?xml[^>]*\?>\s*")]
    private static partial System.Text.RegularExpressions.Regex XmlDeclaration();
}
