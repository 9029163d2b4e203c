using FastLogReg.PerfTool;
using Xunit;

namespace FastLogReg.Tests.Perf;

/// <summary>The CI gate's decision rule on synthetic measurements (the real gate is run by .ci/run, pass and fail).</summary>
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
}
