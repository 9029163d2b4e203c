using System.Globalization;
using System.Text;
using Perfolizer.Mathematics.SignificanceTesting.Base;

namespace FastLogReg.PerfTool;

/// <summary>One workload of the A/B gate: baseline and candidate over the same rounds.</summary>
/// <param name="Workload">The probe's workload name.</param>
/// <param name="BaselineMedian">Median over the rounds of the baseline's per-process medians (ns per call).</param>
/// <param name="CandidateMedian">The same for the candidate.</param>
/// <param name="Ratio">Median over the rounds of candidate ÷ baseline in the same round (above 1: the candidate is slower).</param>
/// <param name="MinRatio">The smallest per-round ratio.</param>
/// <param name="MaxRatio">The largest per-round ratio.</param>
/// <param name="PSlower">One-sided Mann–Whitney p-value that the candidate's per-round medians are larger than the baseline's.</param>
/// <param name="Verdict">"same", "slower" (ratio above 1 + <see cref="AbGate.WarnThreshold"/> and p below <see cref="AbGate.SignificanceLevel"/>: a warning), "faster".</param>
internal sealed record AbComparison(string Workload, double BaselineMedian, double CandidateMedian, double Ratio, double MinRatio, double MaxRatio, double PSlower, string Verdict);

/// <summary>The A/B rule applied to one candidate (the real one, or the forced-scalar one of the self-test).</summary>
/// <param name="Comparisons">Every workload both sides measured.</param>
/// <param name="GeometricMean">Geometric mean of the workloads' ratios (NaN when none was compared).</param>
/// <param name="Passed">Geometric mean ≤ 1 + threshold and no problem.</param>
/// <param name="Problems">What fails it besides the geometric mean: workloads missing, rounds not paired.</param>
/// <param name="NotJudged">Workloads only the candidate measures (new, with no baseline to compare with).</param>
internal sealed record AbOutcome(IReadOnlyList<AbComparison> Comparisons, double GeometricMean, bool Passed, IReadOnlyList<string> Problems, IReadOnlyList<string> NotJudged);

/// <summary>The gate's decision: the candidate's outcome together with the self-test's.</summary>
/// <param name="Passed">The candidate passed and, when there is a self-test, the forced-scalar candidate failed.</param>
/// <param name="Reason">One sentence: why.</param>
internal sealed record AbDecision(bool Passed, string Reason);

/// <summary>
/// The CI gate's rule, as a pure function over per-round measurements. The baseline (the last landed commit) and the
/// candidate (this tree) are measured in alternating processes, round by round; per workload the ratio is the median
/// over rounds of candidate ÷ baseline in the same round, so that a slow period of the machine, which hits both sides of
/// a round, cancels. The gate fails when the geometric mean of the workloads' ratios exceeds 1 + threshold (default
/// 0.20), when a workload the baseline measures is missing from the candidate (or from any round), or when the rounds do
/// not pair up. A workload significantly slower by more than 10% (one-sided Mann–Whitney over the rounds' medians,
/// p &lt; 0.01) is a warning. The self-test judges the candidate with its kernels forced scalar by the same rule; it must
/// fail, otherwise the gate fails: it could not see a regression on this machine.
/// </summary>
internal static class AbGate
{
    public const double DefaultThreshold = 0.20;
    public const double WarnThreshold = 0.10;
    public const double SignificanceLevel = 0.01;

    /// <summary>Applies the rule.</summary>
    /// <param name="baseline">Per round: workload → the baseline process's median ns per call.</param>
    /// <param name="candidate">Per round, in the same order: the candidate's.</param>
    /// <param name="threshold">Fail when the geometric mean of the ratios exceeds 1 + this.</param>
    public static AbOutcome Judge(IReadOnlyList<IReadOnlyDictionary<string, double>> baseline, IReadOnlyList<IReadOnlyDictionary<string, double>> candidate, double threshold)
    {
        var problems = new List<string>();
        var notJudged = new List<string>();
        var comparisons = new List<AbComparison>();
        if (baseline.Count != candidate.Count || baseline.Count == 0)
        {
            problems.Add($"{baseline.Count} baseline round(s) against {candidate.Count} candidate round(s): the rounds do not pair up.");
            return new AbOutcome(comparisons, double.NaN, false, problems, notJudged);
        }

        int rounds = baseline.Count;
        IEnumerable<string> names = baseline.SelectMany(r => r.Keys).Concat(candidate.SelectMany(r => r.Keys)).Distinct().Order(StringComparer.Ordinal);
        foreach (string name in names)
        {
            int inBaseline = baseline.Count(r => r.ContainsKey(name));
            int inCandidate = candidate.Count(r => r.ContainsKey(name));
            if (inBaseline == 0)
            {
                notJudged.Add(name);
                continue;
            }

            if (inCandidate < rounds)
            {
                problems.Add(inCandidate == 0
                    ? $"{name}: missing from the candidate (the baseline measures it)."
                    : $"{name}: missing from the candidate in {rounds - inCandidate} of {rounds} rounds.");
                continue;
            }

            if (inBaseline < rounds)
            {
                problems.Add($"{name}: missing from the baseline in {rounds - inBaseline} of {rounds} rounds.");
                continue;
            }

            double[] b = baseline.Select(r => r[name]).ToArray();
            double[] c = candidate.Select(r => r[name]).ToArray();
            if (b.Concat(c).Any(t => !(t > 0) || double.IsInfinity(t)))
            {
                problems.Add($"{name}: a time that is not a positive number.");
                continue;
            }

            double[] ratios = c.Zip(b, (x, y) => x / y).ToArray();
            double ratio = GateMetric.MedianOf(ratios);
            double pSlower = Gate.PValue(c, b, AlternativeHypothesis.Greater);
            double pFaster = Gate.PValue(c, b, AlternativeHypothesis.Less);
            string verdict = ratio > 1 + WarnThreshold && pSlower < SignificanceLevel ? "slower"
                : ratio < 1 / (1 + WarnThreshold) && pFaster < SignificanceLevel ? "faster"
                : "same";
            comparisons.Add(new AbComparison(name, GateMetric.MedianOf(b), GateMetric.MedianOf(c), ratio, ratios.Min(), ratios.Max(), pSlower, verdict));
        }

        if (comparisons.Count == 0 && problems.Count == 0)
        {
            problems.Add("no workload was measured by both sides.");
        }

        double geometricMean = comparisons.Count == 0 ? double.NaN : Math.Exp(comparisons.Average(x => Math.Log(x.Ratio)));
        bool passed = problems.Count == 0 && geometricMean <= 1 + threshold;
        return new AbOutcome(comparisons, geometricMean, passed, problems, notJudged);
    }

    /// <summary>The gate's verdict: the candidate must pass and the forced-scalar candidate (when run) must fail.</summary>
    public static AbDecision Decide(AbOutcome gate, AbOutcome? selfTest, double threshold)
    {
        var c = CultureInfo.InvariantCulture;
        if (!gate.Passed)
        {
            return new AbDecision(false, gate.Problems.Count > 0
                ? "the candidate fails: " + string.Join(" ", gate.Problems)
                : string.Format(c, "the candidate is slower than the baseline: geometric mean of the ratios {0:0.000} > {1:0.00}.", gate.GeometricMean, 1 + threshold));
        }

        if (selfTest is { Passed: true })
        {
            return new AbDecision(false, string.Format(c, "the self-test passed (forced-scalar kernels, geometric mean {0:0.000} ≤ {1:0.00}): the gate cannot see a regression on this machine.", selfTest.GeometricMean, 1 + threshold));
        }

        string selfTestNote = selfTest is null ? " (no self-test)" : string.Format(c, "; the self-test failed as it must (forced scalar: {0:0.00}×).", selfTest.GeometricMean);
        return new AbDecision(true, string.Format(c, "geometric mean of the ratios {0:0.000} ≤ {1:0.00}{2}", gate.GeometricMean, 1 + threshold, selfTestNote));
    }

    /// <summary>The table of one outcome, as printed in the CI log.</summary>
    public static string Format(string title, AbOutcome outcome, double threshold)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(title);
        text.AppendLine(string.Format(c, "  {0,-30} {1,12} {2,12} {3,8} {4,15} {5,10}  {6}", "workload", "baseline", "candidate", "ratio", "rounds min–max", "p(slower)", "verdict"));
        foreach (AbComparison x in outcome.Comparisons)
        {
            string flag = x.Verdict == "slower" ? "WARN slower" : x.Verdict;
            text.AppendLine(string.Format(c, "  {0,-30} {1,12} {2,12} {3,8:0.000} {4,15} {5,10:G2}  {6}", x.Workload, Time(x.BaselineMedian), Time(x.CandidateMedian), x.Ratio, string.Format(c, "{0:0.000}–{1:0.000}", x.MinRatio, x.MaxRatio), x.PSlower, flag));
        }

        foreach (string name in outcome.NotJudged)
        {
            text.AppendLine($"  {name,-30} new in the candidate: no baseline, not judged");
        }

        foreach (string problem in outcome.Problems)
        {
            text.AppendLine($"  problem: {problem}");
        }

        text.AppendLine(string.Format(c, "  geometric mean of the ratios {0:0.000} (fails above {1:0.00}): {2}", outcome.GeometricMean, 1 + threshold, outcome.Passed ? "pass" : "FAIL"));
        return text.ToString();
    }

    /// <summary>Nanoseconds as µs or ms with three or four significant digits.</summary>
    public static string Time(double nanoseconds) =>
        nanoseconds >= 1e6 ? string.Format(CultureInfo.InvariantCulture, "{0:0.00} ms", nanoseconds / 1e6)
        : string.Format(CultureInfo.InvariantCulture, "{0:0.0} µs", nanoseconds / 1e3);
}
