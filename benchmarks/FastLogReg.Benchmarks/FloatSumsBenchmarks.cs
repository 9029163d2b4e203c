using BenchmarkDotNet.Attributes;
using FastLogReg.Data;
using FastLogReg.Objective;

namespace FastLogReg.Benchmarks;

/// <summary>
/// Would float sums make the epoch faster? On float data: the library's fused epoch (double sums) against the same
/// kernel with float partial sums (<see cref="FloatSumsEpoch"/>, a probe), with the naive per-row TensorPrimitives pass
/// in float and the streaming read of the same bytes for scale. Setup checks that the probe computes the same epoch.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 4, iterationCount: 12)]
[IterationTime(250)]
public class FloatSumsBenchmarks
{
    private KernelWorkload<float> _work = null!;
    private FloatSumsEpoch _floatSums = null!;
    private double[] _point = null!;
    private double[] _gradient = null!;

    [Params("20000x100", "1000000x100")]
    public string Shape { get; set; } = "20000x100";

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _work = new KernelWorkload<float>(Shape, Threads);
        _point = _work.Point.ToArray();
        _gradient = new double[_point.Length];
        _floatSums = new FloatSumsEpoch(_work.Data, Threads);
        Check(_work.Data, _point, Threads);
    }

    [Benchmark(Baseline = true, Description = "Fused kernel (double sums)")]
    public double Fused() => _work.FusedEpoch();

    [Benchmark(Description = "Fused kernel, float sums (probe)")]
    public double FusedFloatSums() => _floatSums.Evaluate(_point, _gradient);

    [Benchmark(Description = "Naive per-row TensorPrimitives (float)")]
    public double NaivePerRow() => _work.NaivePerRow();

    [Benchmark(Description = "Streaming read (Σ X)")]
    public double StreamingRead() => _work.StreamingRead();

    /// <summary>
    /// Throws unless the probe's loss and gradient agree with the library's to float accuracy (relative 1e-5 on the loss,
    /// 1e-4 of the largest gradient component) — a probe that computed less would make its time meaningless.
    /// </summary>
    public static void Check(DenseDataset<float> data, double[] point, int threads)
    {
        var reference = new LogisticObjective<float>(data, l2: 0, fitIntercept: true, maxDegreeOfParallelism: threads);
        var expected = new double[point.Length];
        var actual = new double[point.Length];
        double expectedLoss = reference.Evaluate(point, expected);
        double actualLoss = new FloatSumsEpoch(data, threads).Evaluate(point, actual);
        double scale = expected.Max(Math.Abs);
        double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        if (Math.Abs(actualLoss - expectedLoss) > 1e-5 * expectedLoss || worst > 1e-4 * scale)
        {
            throw new InvalidOperationException(
                $"The float-sums probe disagrees with the library: loss {actualLoss:R} vs {expectedLoss:R}, largest gradient difference {worst:E2} (largest component {scale:E2}).");
        }
    }
}
