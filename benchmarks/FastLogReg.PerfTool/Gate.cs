using System.Globalization;
using System.Text;
using System.Text.Json;
using Perfolizer.Mathematics.SignificanceTesting.Base;
using Perfolizer.Mathematics.SignificanceTesting.MannWhitney;
using Perfolizer.Metrology;
using Pragmastat;

namespace FastLogReg.PerfTool;

/// <summary>A machine-independent ratio: a benchmark's per-iteration times divided by the median of a yardstick measured in the same run.</summary>
/// <param name="Name">e.g. "FusedEpoch / StreamingRead [1000000x100]".</param>
/// <param name="Samples">The normalized samples.</param>
internal sealed record GateMetric(string Name, double[] Samples)
{
    public double Median => MedianOf(Samples);

    public static double MedianOf(IReadOnlyList<double> values)
    {
        double[] sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n == 0 ? double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }
}

/// <summary>The stored reference: the metrics of a reference run and the machine it ran on.</summary>
internal sealed record GateReference(string Machine, string Note, IReadOnlyList<GateMetric> Metrics);

/// <summary>One metric compared with its reference.</summary>
internal sealed record GateComparison(string Name, double StoredRatio, double NewRatio, double Change, double PSlower, double PFaster, string Verdict);

/// <summary>The gate's decision.</summary>
internal sealed record GateOutcome(IReadOnlyList<GateComparison> Comparisons, double GeometricMeanChange, bool Passed, IReadOnlyList<string> Problems);

/// <summary>
/// The CI gate. From a run of GateBenchmarks it forms, per shape, fused epoch ÷ streaming read, fused epoch ÷ textbook
/// loop and batch prediction ÷ streaming read — each benchmark's iteration times over the median of a yardstick measured
/// in the same run, so that the machine's speed cancels out. Each metric is compared with the stored reference by a
/// one-sided Mann–Whitney test with a 10% threshold (as dotnet/performance's ResultsComparer does): significant
/// slow-downs are warnings. The gate fails when the geometric mean of the changes exceeds the threshold (default 25%),
/// or a reference metric is missing from the run.
/// </summary>
internal static class Gate
{
    public const double PerMetricThreshold = 0.10;
    public const double SignificanceLevel = 0.01;

    /// <summary>
    /// The gate's metrics pooled over several runs of GateBenchmarks: each run is normalized by its own yardsticks, then
    /// the samples of a metric are concatenated. A reference pooled over runs is not biased by one run's luck.
    /// </summary>
    public static IReadOnlyList<GateMetric> Metrics(IReadOnlyList<BenchmarkRun> runs) =>
        runs.SelectMany(Metrics)
            .GroupBy(m => m.Name)
            .Select(g => new GateMetric(g.Key, g.SelectMany(m => m.Samples).ToArray()))
            .ToArray();

    /// <summary>The gate's metrics from a run of GateBenchmarks.</summary>
    public static IReadOnlyList<GateMetric> Metrics(BenchmarkRun run)
    {
        var metrics = new List<GateMetric>();
        foreach (IGrouping<string, BenchmarkCase> shape in run.Cases.Where(c => c.Type == "GateBenchmarks").GroupBy(c => c.Parameter("Shape")).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            BenchmarkCase? Find(string method) => shape.FirstOrDefault(c => c.Method == method);
            BenchmarkCase? stream = Find("StreamingRead"), textbook = Find("Textbook"), fused = Find("FusedEpoch"), predict = Find("BatchPrediction");
            void Add(BenchmarkCase? measured, BenchmarkCase? yardstick)
            {
                if (measured is { Samples.Length: > 0 } m && yardstick is { Samples.Length: > 0 } y)
                {
                    double median = GateMetric.MedianOf(y.Samples);
                    metrics.Add(new GateMetric($"{m.Method} / {y.Method} [{shape.Key}]", m.Samples.Select(s => s / median).ToArray()));
                }
            }

            Add(fused, stream);
            Add(fused, textbook);
            Add(predict, stream);
        }

        return metrics;
    }

    public static GateOutcome Compare(GateReference reference, IReadOnlyList<GateMetric> current, double geometricMeanThreshold)
    {
        var comparisons = new List<GateComparison>();
        var problems = new List<string>();
        foreach (GateMetric stored in reference.Metrics)
        {
            GateMetric? now = current.FirstOrDefault(m => m.Name == stored.Name);
            if (now is null)
            {
                problems.Add($"{stored.Name}: missing from this run (stored ratio {stored.Median:G4}).");
                continue;
            }

            double change = now.Median / stored.Median;
            double pSlower = PValue(now.Samples, stored.Samples, AlternativeHypothesis.Greater);
            double pFaster = PValue(now.Samples, stored.Samples, AlternativeHypothesis.Less);
            string verdict = change > 1 + PerMetricThreshold && pSlower < SignificanceLevel ? "slower"
                : change < 1 / (1 + PerMetricThreshold) && pFaster < SignificanceLevel ? "faster"
                : "same";
            comparisons.Add(new GateComparison(stored.Name, stored.Median, now.Median, change, pSlower, pFaster, verdict));
        }

        double geometricMean = comparisons.Count == 0 ? double.NaN : Math.Exp(comparisons.Average(c => Math.Log(c.Change)));
        if (!(geometricMean <= 1 + geometricMeanThreshold))
        {
            foreach (GateComparison c in comparisons.Where(c => c.Change > 1 + PerMetricThreshold).OrderByDescending(c => c.Change))
            {
                problems.Add(string.Format(CultureInfo.InvariantCulture, "{0}: stored ratio {1:G4}, new ratio {2:G4} ({3:+0%;-0%}).", c.Name, c.StoredRatio, c.NewRatio, c.Change - 1));
            }
        }

        bool passed = problems.Count == 0 && geometricMean <= 1 + geometricMeanThreshold;
        return new GateOutcome(comparisons, geometricMean, passed, problems);
    }

    /// <summary>The comparison table and the verdict, as printed in the CI log.</summary>
    public static string Format(GateReference reference, GateOutcome outcome, string machine, double geometricMeanThreshold)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine("Performance gate: ratios to yardsticks measured in the same run (lower is faster)");
        text.AppendLine($"  reference: {reference.Machine} — {reference.Note}");
        text.AppendLine($"  this run:  {machine}");
        text.AppendLine();
        text.AppendLine(string.Format(c, "  {0,-44} {1,12} {2,12} {3,9} {4,10}  {5}", "metric", "stored", "new", "change", "p(slower)", "verdict"));
        foreach (GateComparison x in outcome.Comparisons)
        {
            string flag = x.Verdict == "slower" ? "WARN slower" : x.Verdict;
            text.AppendLine(string.Format(c, "  {0,-44} {1,12:G4} {2,12:G4} {3,9:+0.0%;-0.0%} {4,10:G2}  {5}", x.Name, x.StoredRatio, x.NewRatio, x.Change - 1, x.PSlower, flag));
        }

        text.AppendLine();
        string summary = string.Format(c, "geometric mean of the changes {0:+0.0%;-0.0%} (fails above +{1:0%})", outcome.GeometricMeanChange - 1, geometricMeanThreshold);
        if (outcome.Passed)
        {
            text.AppendLine($"PASS: {summary}.");
        }
        else
        {
            text.AppendLine($"FAIL: {summary}.");
            foreach (string problem in outcome.Problems)
            {
                text.AppendLine($"  regression: {problem}");
            }
        }

        return text.ToString();
    }

    public static GateReference LoadReference(string path) =>
        JsonSerializer.Deserialize<GateReference>(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path} holds no gate reference.");

    public static void SaveReference(GateReference reference, string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(reference, new JsonSerializerOptions { WriteIndented = true }) + Environment.NewLine);

    /// <summary>One-sided Mann–Whitney p-value that <paramref name="x"/> is greater (or less) than <paramref name="y"/>; NaN with fewer than two samples on a side.</summary>
    internal static double PValue(double[] x, double[] y, AlternativeHypothesis alternative)
    {
        if (x.Length < 2 || y.Length < 2)
        {
            return double.NaN;
        }

        MannWhitneyResult result = MannWhitneyTest.Instance.Perform(new Sample(x), new Sample(y), alternative, Threshold.Zero);
        return result.PValue;
    }
}
