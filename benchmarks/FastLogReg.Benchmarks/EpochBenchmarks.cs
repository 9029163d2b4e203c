using System.Numerics;
using BenchmarkDotNet.Attributes;
using FastLogReg.Reference;

namespace FastLogReg.Benchmarks;

/// <summary>
/// One epoch — mean loss and full gradient at a fixed point — four ways, on the same data:
/// the fused kernel, the textbook scalar loop, the naive per-row TensorPrimitives pass, and the streaming read of the
/// same bytes (the baseline: an epoch cannot beat reading the features once).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 4, iterationCount: 12)]
[IterationTime(250)]
[GenericTypeArguments(typeof(float))]
[GenericTypeArguments(typeof(double))]
public class EpochBenchmarks<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private DenseDataset<T> _data = null!;
    private LogisticObjective<T> _objective = null!;
    private Baselines<T> _baselines = null!;
    private double[] _point = null!;
    private double[] _gradient = null!;

    [Params("20000x100", "20000x2000", "1000000x100")]
    public string Shape { get; set; } = "20000x100";

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (int rows, int columns) = Workload.Parse(Shape);
        (T[] x, T[] y, double[] point) = Workload.Create<T>(rows, columns);
        _data = DenseDataset.Create(x, y, columns);
        _objective = new LogisticObjective<T>(_data, l2: 0, fitIntercept: true, maxDegreeOfParallelism: Threads);
        _baselines = new Baselines<T>(x, y, columns, point, Threads);
        _point = point;
        _gradient = new double[point.Length];
    }

    [Benchmark(Baseline = true, Description = "Streaming read (Σ X)")]
    public double StreamingRead() => _baselines.StreamingRead();

    [Benchmark(Description = "Fused kernel")]
    public double Fused() => _objective.Evaluate(_point, _gradient);

    [Benchmark(Description = "Naive per-row TensorPrimitives")]
    public double NaivePerRow() => _baselines.NaivePerRow();

    [Benchmark(Description = "Textbook loop (1 thread)")]
    public double Textbook() =>
        TextbookLogisticRegression.LossAndGradient(_data, _point.AsSpan(0, _data.Columns), _point[^1], 0, _gradient.AsSpan(0, _data.Columns), out _);
}
