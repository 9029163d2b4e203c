using BenchmarkDotNet.Attributes;

namespace FastLogReg.Benchmarks;

/// <summary>
/// One epoch on synthetic text-like sparse data (<see cref="SparseWorkload"/>), two threads, against three yardsticks
/// measured in the same run: the streaming read of the non-zeros (values and indices, once), and the two floors of the
/// access pattern — a bare gather Σ vₖ·w[jₖ] and a bare scatter g[jₖ] += vₖ over the same non-zeros, split over the
/// same threads. An epoch is at least one gather (the margins) and one scatter (the gradient). The epoch and the
/// Hessian-vector product each both ways: column-major (the default from 65,536 columns) and the row-major scatter.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
public class SparseBenchmarks
{
    private SparseWorkload _work = null!;
    private double[][] _scratch = null!;
    private Objective.ChunkedBinomialLoss<float> _rowMajor = null!;
    private Objective.ChunkedBinomialLoss<float> _columnMajor = null!;
    private double[] _gradient = null!;
    private double[] _direction = null!;
    private int _d;

    /// <summary>"rows x columns x non-zeros per row".</summary>
    [Params("200000x1000000x50", "20000x500000x600")]
    public string Shape { get; set; } = "20000x500000x600";

    [GlobalSetup]
    public void Setup()
    {
        int[] parts = Shape.Split('x').Select(int.Parse).ToArray();
        _work = new SparseWorkload(parts[0], parts[1], parts[2], threads: 2);
        _scratch = [new double[parts[1]], new double[parts[1]]];
        _d = parts[1];
        var layout = Kernels.FeatureLayout<float>.For(_work.Data);
        _rowMajor = new Objective.ChunkedBinomialLoss<float>(layout, 2, 1, 1, _work.Data.Rows, columnMajor: false);
        _columnMajor = new Objective.ChunkedBinomialLoss<float>(layout, 2, 1, 1, _work.Data.Rows, columnMajor: true);
        _gradient = new double[_d];
        _direction = Enumerable.Range(0, _d).Select(j => Math.Sin(j)).ToArray();
        foreach (var loss in new[] { _rowMajor, _columnMajor })
        {
            loss.Evaluate(_work.Point.AsSpan(0, _d), _work.Point[_d], _gradient, out _, out _);
            loss.PrepareCurvature(_work.Point.AsSpan(0, _d), _work.Point[_d], default, default);
        }
    }

    [Benchmark(Baseline = true)]
    public double StreamingRead() => _work.StreamingRead();

    [Benchmark]
    public double BareGather() => Split((a, b) => SparseFloors.Gather(_work.Values, _work.Indices, _work.Point, a, b));

    [Benchmark]
    public double BareScatter() => Split((a, b) => SparseFloors.Scatter(_work.Values, _work.Indices, _scratch[a == 0 ? 0 : 1], a, b));

    [Benchmark]
    public double FusedEpoch() => _work.Epoch();

    /// <summary>The same epoch through the row-major scatter into per-chunk gradients (forced; the default below 65,536 columns).</summary>
    [Benchmark]
    public double FusedEpochRowMajor()
    {
        _rowMajor.Evaluate(_work.Point.AsSpan(0, _d), _work.Point[_d], _gradient, out double loss, out _);
        return loss;
    }

    /// <summary>A Hessian-vector product (trust-region Newton's pass), column-major (the default from 65,536 columns).</summary>
    [Benchmark]
    public double HessianVector()
    {
        _columnMajor.HessianVector(_direction, 0.5, _gradient, out double bias);
        return bias;
    }

    /// <summary>A Hessian-vector product through the row-major scatter (forced).</summary>
    [Benchmark]
    public double HessianVectorRowMajor()
    {
        _rowMajor.HessianVector(_direction, 0.5, _gradient, out double bias);
        return bias;
    }

    private double Split(Func<int, int, double> body)
    {
        int n = _work.Values.Length;
        double[] parts = new double[2];
        Parallel.For(0, 2, t => parts[t] = body((int)((long)n * t / 2), (int)((long)n * (t + 1) / 2)));
        return parts[0] + parts[1];
    }
}

/// <summary>The bare memory-access patterns of a sparse epoch, without the logistic arithmetic.</summary>
internal static class SparseFloors
{
    public static double Gather(float[] v, int[] j, double[] w, int start, int end)
    {
        double a0 = 0, a1 = 0;
        int k = start;
        for (; k + 2 <= end; k += 2)
        {
            a0 += v[k] * w[j[k]];
            a1 += v[k + 1] * w[j[k + 1]];
        }

        for (; k < end; k++)
        {
            a0 += v[k] * w[j[k]];
        }

        return a0 + a1;
    }

    public static double Scatter(float[] v, int[] j, double[] g, int start, int end)
    {
        for (int k = start; k < end; k++)
        {
            g[j[k]] += v[k];
        }

        return g[0];
    }
}
