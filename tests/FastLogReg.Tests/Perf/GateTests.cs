using FastLogReg.GateProbe;
using FastLogReg.PerfTool;
using Xunit;

namespace FastLogReg.Tests.Perf;

/// <summary>
/// The gates' decision rules on synthetic measurements — the A/B gate CI runs, and the per-CPU BenchmarkDotNet gate — and
/// the CPU identity results are keyed by. No timing of real code: the real gate is run by .ci/run, pass and fail.
/// </summary>
public class GateTests
{
    private static double[] Noisy(double median, int seed, double spread = 0.05) =>
        Enumerable.Range(0, 15).Select(i => median * (1 + (spread * (new Random(seed + i).NextDouble() - 0.5)))).ToArray();

    private static GateReference Reference(params double[] medians) =>
        new("machine", "note", medians.Select((m, i) => new GateMetric($"metric {i}", Noisy(m, i))).ToArray());

    [Fact]
    public void SameRatiosPass()
    {
        GateReference reference = Reference(1.0, 0.03, 1.2);
        GateMetric[] current = reference.Metrics.Select((m, i) => new GateMetric(m.Name, Noisy(m.Median, 100 + i))).ToArray();
        GateOutcome outcome = Gate.Compare(reference, current, 0.25);
        Assert.True(outcome.Passed);
        Assert.All(outcome.Comparisons, c => Assert.Equal("same", c.Verdict));
    }

    [Fact]
    public void OneNoisyBenchmarkOnlyWarns()
    {
        GateReference reference = Reference(1.0, 0.03, 1.2, 2.0, 0.5, 0.7);
        GateMetric[] current = reference.Metrics.Select((m, i) => new GateMetric(m.Name, Noisy(m.Median * (i == 0 ? 1.5 : 1.0), 200 + i))).ToArray();
        GateOutcome outcome = Gate.Compare(reference, current, 0.25);
        Assert.True(outcome.Passed, $"geometric mean {outcome.GeometricMeanChange}");
        Assert.Equal("slower", outcome.Comparisons[0].Verdict);
        Assert.Contains("WARN slower", Gate.Format(reference, outcome, "machine", 0.25));
    }

    [Fact]
    public void ASlowedKernelFailsWithTheBenchmarkAndBothRatios()
    {
        GateReference reference = Reference(0.95, 0.034, 1.2, 1.9, 0.012, 2.7);
        double[] slowdown = [7.0, 7.0, 3.0, 9.0, 9.0, 3.0];
        GateMetric[] current = reference.Metrics.Select((m, i) => new GateMetric(m.Name, Noisy(m.Median * slowdown[i], 300 + i))).ToArray();
        GateOutcome outcome = Gate.Compare(reference, current, 0.25);

        Assert.False(outcome.Passed);
        string report = Gate.Format(reference, outcome, "machine", 0.25);
        Assert.Contains("FAIL", report);
        Assert.Contains("regression: metric 3: stored ratio 1.9", report);
        Assert.Contains("new ratio", report);
    }

    [Fact]
    public void AMissingBenchmarkFails()
    {
        GateReference reference = Reference(1.0, 2.0);
        GateOutcome outcome = Gate.Compare(reference, [new GateMetric("metric 0", Noisy(1.0, 9))], 0.25);
        Assert.False(outcome.Passed);
        Assert.Contains(outcome.Problems, p => p.Contains("metric 1: missing"));
    }

    [Fact]
    public void ASimdCapSlowsOnlyTheKernelsAndRejectsNonsense()
    {
        Assert.Equal(FastLogReg.Numerics.SimdWidth.Scalar, FastLogReg.Numerics.SimdWidthSelector.Cap(FastLogReg.Numerics.SimdWidth.Vector512, "scalar"));
        Assert.Equal(FastLogReg.Numerics.SimdWidth.Vector256, FastLogReg.Numerics.SimdWidthSelector.Cap(FastLogReg.Numerics.SimdWidth.Vector512, "256"));
        Assert.Equal(FastLogReg.Numerics.SimdWidth.Vector128, FastLogReg.Numerics.SimdWidthSelector.Cap(FastLogReg.Numerics.SimdWidth.Vector128, "512"));
        Assert.Equal(FastLogReg.Numerics.SimdWidth.Vector512, FastLogReg.Numerics.SimdWidthSelector.Cap(FastLogReg.Numerics.SimdWidth.Vector512, null));
        Assert.Throws<InvalidOperationException>(() => FastLogReg.Numerics.SimdWidthSelector.Cap(FastLogReg.Numerics.SimdWidth.Vector512, "fast"));
    }

    [Fact]
    public void PooledRunsAreEachNormalizedByTheirOwnYardstick()
    {
        static BenchmarkRun Run(double speed) => new("machine",
        [
            new BenchmarkCase("GateBenchmarks", "StreamingRead", "", new Dictionary<string, string> { ["Shape"] = "s" }, [10 * speed, 10 * speed, 10 * speed], 10 * speed, null),
            new BenchmarkCase("GateBenchmarks", "FusedEpoch", "", new Dictionary<string, string> { ["Shape"] = "s" }, [20 * speed, 20 * speed], 20 * speed, null),
        ]);

        // A run on a machine twice as slow gives the same ratio: pooling keeps 2.0, not a blend of absolute times.
        IReadOnlyList<GateMetric> pooled = Gate.Metrics([Run(1), Run(2)]);
        GateMetric metric = Assert.Single(pooled);
        Assert.Equal("FusedEpoch / StreamingRead [s]", metric.Name);
        Assert.Equal([2.0, 2.0, 2.0, 2.0], metric.Samples);
    }

    // ---- The A/B gate (the CI gate): per-round medians of the baseline and the candidate ----

    private static readonly string[] Workloads = ["epoch-small", "epoch-large", "predict", "fit"];
    private static readonly double[] Medians = [120_000, 7_500_000, 14_000_000, 210_000];

    /// <summary>Per round, workload → ns: each workload's median times <paramref name="factor"/>(round, workload index).</summary>
    private static IReadOnlyDictionary<string, double>[] Rounds(int rounds, Func<int, int, double> factor, params string[] skip) =>
        Enumerable.Range(0, rounds)
            .Select(r => (IReadOnlyDictionary<string, double>)Workloads.Select((w, i) => (w, i)).Where(x => !skip.Contains(x.w)).ToDictionary(x => x.w, x => Medians[x.i] * factor(r, x.i)))
            .ToArray();

    /// <summary>A factor uniform in [1 − spread, 1 + spread], the same for the same seed, round and workload.</summary>
    private static double Noise(int seed, int round, int workload, double spread) =>
        1 + (spread * ((2 * new Random((seed * 1000) + (round * 10) + workload).NextDouble()) - 1));

    [Fact]
    public void AbEqualTimingsPass()
    {
        AbOutcome outcome = AbGate.Judge(Rounds(7, (_, _) => 1), Rounds(7, (_, _) => 1), 0.20);
        Assert.True(outcome.Passed);
        Assert.Equal(1.0, outcome.GeometricMean, 12);
        Assert.All(outcome.Comparisons, c => Assert.Equal(("same", 1.0, 1.0), (c.Verdict, c.MinRatio, c.MaxRatio)));
        Assert.True(AbGate.Decide(outcome, null, 0.20).Passed);
    }

    [Fact]
    public void AbCandidateOneAndAHalfTimesSlowerFails()
    {
        AbOutcome outcome = AbGate.Judge(Rounds(7, (r, i) => Noise(1, r, i, 0.05)), Rounds(7, (r, i) => 1.5 * Noise(2, r, i, 0.05)), 0.20);
        Assert.False(outcome.Passed);
        Assert.InRange(outcome.GeometricMean, 1.35, 1.65);
        Assert.All(outcome.Comparisons, c => Assert.Equal("slower", c.Verdict));
        AbDecision decision = AbGate.Decide(outcome, null, 0.20);
        Assert.False(decision.Passed);
        Assert.Contains("slower than the baseline", decision.Reason);
        string table = AbGate.Format("title", outcome, 0.20);
        Assert.Contains("WARN slower", table);
        Assert.Contains("FAIL", table);
    }

    [Fact]
    public void AbNoiseOfTenPercentPerRoundPasses()
    {
        for (int seed = 0; seed < 20; seed++)
        {
            AbOutcome outcome = AbGate.Judge(Rounds(7, (r, i) => Noise(seed, r, i, 0.10)), Rounds(7, (r, i) => Noise(seed + 100, r, i, 0.10)), 0.20);
            Assert.True(outcome.Passed, $"seed {seed}: geometric mean {outcome.GeometricMean}");
        }
    }

    [Fact]
    public void AbSlowPeriodsOfTheMachineCancelWithinARound()
    {
        // Round 3 runs with the machine twice as slow for both builds: the per-round ratio is unaffected.
        static double Machine(int round) => round == 3 ? 2 : 1;
        AbOutcome outcome = AbGate.Judge(Rounds(7, (r, _) => Machine(r)), Rounds(7, (r, _) => Machine(r)), 0.20);
        Assert.True(outcome.Passed);
        Assert.All(outcome.Comparisons, c => Assert.Equal(1.0, c.MaxRatio));
    }

    [Fact]
    public void AbMissingWorkloadFails()
    {
        AbOutcome outcome = AbGate.Judge(Rounds(7, (_, _) => 1), Rounds(7, (_, _) => 1, "predict"), 0.20);
        Assert.False(outcome.Passed);
        Assert.Contains(outcome.Problems, p => p.Contains("predict: missing from the candidate"));
        Assert.False(AbGate.Decide(outcome, null, 0.20).Passed);

        IReadOnlyDictionary<string, double>[] partly = Rounds(7, (_, _) => 1);
        partly[4] = partly[4].Where(kv => kv.Key != "fit").ToDictionary();
        AbOutcome inOneRound = AbGate.Judge(Rounds(7, (_, _) => 1), partly, 0.20);
        Assert.False(inOneRound.Passed);
        Assert.Contains(inOneRound.Problems, p => p.Contains("fit: missing from the candidate in 1 of 7 rounds"));
    }

    [Fact]
    public void AbUnpairedRoundsFail()
    {
        AbOutcome outcome = AbGate.Judge(Rounds(7, (_, _) => 1), Rounds(6, (_, _) => 1), 0.20);
        Assert.False(outcome.Passed);
        Assert.Contains(outcome.Problems, p => p.Contains("do not pair up"));
    }

    [Fact]
    public void AbANewWorkloadOfTheCandidateIsShownButNotJudged()
    {
        AbOutcome outcome = AbGate.Judge(Rounds(7, (_, _) => 1, "fit"), Rounds(7, (_, _) => 1), 0.20);
        Assert.True(outcome.Passed);
        Assert.Equal(["fit"], outcome.NotJudged);
        Assert.Contains("fit", AbGate.Format("title", outcome, 0.20));
    }

    [Fact]
    public void AbSelfTestThatIsNotSlowerMakesTheGateFail()
    {
        AbOutcome candidate = AbGate.Judge(Rounds(7, (_, _) => 1), Rounds(7, (_, _) => 1.02), 0.20);
        AbOutcome scalarNotSlower = AbGate.Judge(Rounds(7, (_, _) => 1), Rounds(7, (_, _) => 1.1), 0.20);
        AbDecision decision = AbGate.Decide(candidate, scalarNotSlower, 0.20);
        Assert.True(candidate.Passed);
        Assert.False(decision.Passed);
        Assert.Contains("cannot see a regression", decision.Reason);

        AbOutcome scalarSlower = AbGate.Judge(Rounds(7, (_, _) => 1), Rounds(7, (_, i) => i == 3 ? 2 : 8), 0.20);
        Assert.True(AbGate.Decide(candidate, scalarSlower, 0.20).Passed);
    }

    // ---- The CPU every stored result is keyed by ----

    private static CpuIdentity Zen(int family, int model, bool avx512 = true) =>
        new("AuthenticAMD", family, model, "AMD EPYC", avx512 ? ["avx2", "fma", "avx512f", "avx512vl"] : ["avx2", "fma"], avx512, true, true, "/proc/cpuinfo");

    [Fact]
    public void CpuIdentityRoundTripsThroughJsonAndNamesItsFolder()
    {
        CpuIdentity zen5 = Zen(26, 2);
        using var json = System.Text.Json.JsonDocument.Parse(zen5.ToJson());
        CpuIdentity read = CpuIdentity.Read(json.RootElement);
        Assert.True(read.SameAs(zen5));
        Assert.Equal("amd-family26-model2", read.Key);
        Assert.False(json.RootElement.GetProperty("features").GetProperty("avx512vbmi2").GetBoolean());
        Assert.False(Zen(26, 2, avx512: false).SameAs(zen5));
        Assert.Equal(CpuIdentity.Current().Key, CpuIdentity.Current().Key);
    }

    [Fact]
    public void TheStoredReferenceIsThatOfThisCpuOrNone()
    {
        using var root = new TempDirectory();
        CpuIdentity zen5 = Zen(26, 2), zen4 = Zen(25, 17);
        string folder = CpuReferences.FolderFor(root.Path, zen5);
        CpuReferences.WriteCpu(folder, zen5);
        File.WriteAllText(Path.Combine(folder, CpuReferences.ReferenceFile), "{}");

        Assert.Equal(Path.Combine(folder, CpuReferences.ReferenceFile), CpuReferences.Find(root.Path, zen5).Path);
        (string? none, string message) = CpuReferences.Find(root.Path, zen4);
        Assert.Null(none);
        Assert.Contains("No stored reference for this CPU", message);
        Assert.Contains("amd-family26-model2", message);
        (string? other, string why) = CpuReferences.Find(root.Path, Zen(26, 2, avx512: false));
        Assert.Null(other);
        Assert.Contains("was recorded on", why);
    }
}
