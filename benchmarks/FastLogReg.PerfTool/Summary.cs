using System.Globalization;
using System.Text;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace FastLogReg.PerfTool;

/// <summary>
/// Turns a SuiteBenchmarks run into a Markdown table (per element type: every shape and thread count, each method's time,
/// GB/s of feature data and % of the streaming read's throughput) and an SVG chart of throughput against data size, one
/// line per method and thread count.
/// </summary>
internal static class Summary
{
    private static readonly string[] Methods = ["StreamingRead", "FusedEpoch", "Textbook", "BatchPrediction", "TrainToConvergence"];

    private sealed record Point(string Element, string Shape, long Rows, int Columns, int Threads, string Method, double Nanoseconds, long? Allocated)
    {
        public long Bytes => Rows * Columns * (Element == "Double" ? 8 : 4);

        public double GigabytesPerSecond => Bytes / Nanoseconds;
    }

    public static void Write(BenchmarkRun run, string markdownPath, string svgPath)
    {
        List<Point> points = Points(run);
        if (points.Count == 0)
        {
            throw new InvalidDataException("The run has no SuiteBenchmarks results.");
        }

        File.WriteAllText(markdownPath, Markdown(points, run.Machine));
        File.WriteAllText(svgPath, Svg(points));
    }

    private static List<Point> Points(BenchmarkRun run)
    {
        var points = new List<Point>();
        foreach (BenchmarkCase c in run.Cases.Where(c => c.Type.StartsWith("SuiteBenchmarks<", StringComparison.Ordinal)))
        {
            string element = c.Type["SuiteBenchmarks<".Length..^1];
            string[] shape = c.Parameter("Shape").Split('x');
            points.Add(new Point(element, c.Parameter("Shape"), long.Parse(shape[0], CultureInfo.InvariantCulture), int.Parse(shape[1], CultureInfo.InvariantCulture), int.Parse(c.Parameter("Threads"), CultureInfo.InvariantCulture), c.Method, c.MeanNanoseconds, c.AllocatedBytes));
        }

        return points;
    }

    private static string Markdown(List<Point> points, string machine)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine($"Machine: {machine}. Each cell: mean time · GB/s of feature data · % of the streaming read's throughput in the same run.");
        foreach (IGrouping<string, Point> element in points.GroupBy(p => p.Element).OrderByDescending(g => g.Key == "Single"))
        {
            text.AppendLine();
            text.AppendLine($"**{(element.Key == "Single" ? "float" : "double")}**");
            text.AppendLine();
            text.AppendLine("| shape | threads | " + string.Join(" | ", Methods.Select(Title)) + " | fused alloc/epoch |");
            text.AppendLine("|---|---:|" + string.Concat(Methods.Select(_ => "---:|")) + "---:|");
            foreach (var group in element.GroupBy(p => (p.Bytes, p.Shape, p.Threads)).OrderBy(g => g.Key.Bytes).ThenBy(g => g.Key.Threads))
            {
                Point? stream = group.FirstOrDefault(p => p.Method == "StreamingRead");
                var cells = Methods.Select(m => group.FirstOrDefault(p => p.Method == m) is { } p
                    ? string.Format(c, "{0} · {1:F2} · {2:F0}%", Time(p.Nanoseconds), p.GigabytesPerSecond, stream is null ? double.NaN : 100 * stream.Nanoseconds / p.Nanoseconds)
                    : "–");
                string allocated = group.FirstOrDefault(p => p.Method == "FusedEpoch")?.Allocated is { } a ? a.ToString(c) + " B" : "–";
                text.AppendLine($"| {group.Key.Shape} | {group.Key.Threads} | {string.Join(" | ", cells)} | {allocated} |");
            }
        }

        return text.ToString();
    }

    private static string Svg(List<Point> points)
    {
        const double Width = 760, Height = 520;
        var panels = new List<string>();
        OxyColor[] colors = [OxyColors.Gray, OxyColors.SteelBlue, OxyColors.IndianRed, OxyColors.SeaGreen, OxyColors.DarkOrange];
        foreach (IGrouping<string, Point> element in points.GroupBy(p => p.Element).OrderByDescending(g => g.Key == "Single"))
        {
            var plot = new PlotModel { Title = $"Throughput vs data size ({(element.Key == "Single" ? "float" : "double")})", Background = OxyColors.White };
            plot.Legends.Add(new Legend { LegendPosition = LegendPosition.RightMiddle, LegendPlacement = LegendPlacement.Outside, LegendFontSize = 10 });
            plot.Axes.Add(new LogarithmicAxis { Position = AxisPosition.Bottom, Title = "feature bytes (rows × columns × element size)" });
            plot.Axes.Add(new LogarithmicAxis { Position = AxisPosition.Left, Title = "GB/s of feature data" });
            for (int m = 0; m < Methods.Length; m++)
            {
                foreach (int threads in element.Select(p => p.Threads).Distinct().Order())
                {
                    var line = new LineSeries
                    {
                        Title = $"{Title(Methods[m])}, {threads} thread{(threads == 1 ? string.Empty : "s")}",
                        Color = colors[m],
                        LineStyle = threads == 1 ? LineStyle.Dash : LineStyle.Solid,
                        MarkerType = MarkerType.Circle,
                        MarkerSize = 2.5,
                        MarkerFill = colors[m],
                    };
                    foreach (Point p in element.Where(p => p.Method == Methods[m] && p.Threads == threads).OrderBy(p => p.Bytes))
                    {
                        line.Points.Add(new DataPoint(p.Bytes, p.GigabytesPerSecond));
                    }

                    plot.Series.Add(line);
                }
            }

            panels.Add(SvgExporter.ExportToString(plot, Width, Height, false, null, false));
        }

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height * panels.Count}\">");
        for (int k = 0; k < panels.Count; k++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<g transform=\"translate(0,{Height * k})\">").Append(panels[k]).Append("</g>");
        }

        return svg.Append("</svg>").ToString();
    }

    private static string Title(string method) => method switch
    {
        "StreamingRead" => "Streaming read",
        "FusedEpoch" => "Fused epoch",
        "Textbook" => "Textbook loop",
        "BatchPrediction" => "Batch prediction",
        _ => "Train (L-BFGS)",
    };

    private static string Time(double nanoseconds) => nanoseconds switch
    {
        < 1e3 => nanoseconds.ToString("F0", CultureInfo.InvariantCulture) + " ns",
        < 1e6 => (nanoseconds / 1e3).ToString("F1", CultureInfo.InvariantCulture) + " µs",
        < 1e9 => (nanoseconds / 1e6).ToString("F2", CultureInfo.InvariantCulture) + " ms",
        _ => (nanoseconds / 1e9).ToString("F2", CultureInfo.InvariantCulture) + " s",
    };
}
