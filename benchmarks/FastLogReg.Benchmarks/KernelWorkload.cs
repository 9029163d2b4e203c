using System.Numerics;
using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Reference;
using FastLogReg.Training;

namespace FastLogReg.Benchmarks;

/// <summary>
/// One shape of data with everything the kernel benchmarks run on it: the fused objective, the yardsticks
/// (<see cref="Baselines{T}"/>), the textbook loop and a model for batch prediction. Shared by the epoch, suite and gate
/// benchmarks so that they measure exactly the same operations.
/// </summary>
public sealed class KernelWorkload<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly LogisticObjective<T> _objective;
    private readonly Baselines<T> _baselines;
    private readonly double[] _point;
    private readonly double[] _gradient;
    private readonly LogisticModel _model;
    private readonly double[] _probabilities;
    private readonly int _threads;
    private readonly int _predictionThreads;
    private CacheResidentEpoch<T>? _cacheResident; // built on first use: only the epoch benchmark runs it

    /// <param name="shape">"rows x columns".</param>
    /// <param name="threads">Threads for the epoch, the yardsticks and training.</param>
    /// <param name="predictionThreads">Threads for batch prediction (default: <paramref name="threads"/>).</param>
    public KernelWorkload(string shape, int threads, int? predictionThreads = null)
    {
        (int rows, int columns) = Workload.Parse(shape);
        (T[] x, T[] y, double[] point) = Workload.Create<T>(rows, columns);
        Data = DenseDataset.Create(x, y, columns);
        _threads = threads;
        _predictionThreads = predictionThreads ?? threads;
        _objective = new LogisticObjective<T>(Data, l2: 0, fitIntercept: true, maxDegreeOfParallelism: threads);
        _baselines = new Baselines<T>(x, y, columns, point, threads);
        _point = point;
        _gradient = new double[point.Length];
        _model = new LogisticModel(point.AsSpan(0, columns), point[columns]);
        _probabilities = new double[rows];
    }

    public DenseDataset<T> Data { get; }

    /// <summary>The point (w, b) every epoch is evaluated at.</summary>
    public ReadOnlySpan<double> Point => _point;

    /// <summary>Σ X: reads every feature byte once and does nothing else (the memory-bandwidth yardstick).</summary>
    public double StreamingRead() => _baselines.StreamingRead();

    /// <summary>One fused pass: mean loss and full gradient.</summary>
    public double FusedEpoch() => _objective.Evaluate(_point, _gradient);

    /// <summary>The naive per-row TensorPrimitives pass.</summary>
    public double NaivePerRow() => _baselines.NaivePerRow();

    /// <summary>The naive per-row TensorPrimitives pass with double sums.</summary>
    public double NaivePerRowDoubleSums() => _baselines.NaivePerRowDoubleSums();

    /// <summary>The fused kernel's work for as many rows, on rows that stay in each core's L2 (see <see cref="CacheResidentEpoch{T}"/>).</summary>
    public double FusedEpochCacheResident() => (_cacheResident ??= new CacheResidentEpoch<T>(Data, _point, _threads)).Run();

    /// <summary>The textbook scalar loop (always one thread).</summary>
    public double Textbook() =>
        TextbookLogisticRegression.LossAndGradient(Data, _point.AsSpan(0, Data.Columns), _point[^1], 0, _gradient.AsSpan(0, Data.Columns), out _);

    /// <summary>Probabilities for every row into a caller buffer.</summary>
    public int BatchPrediction() => _model.PredictProbabilities<T>(Data.Features.Span, _probabilities, _predictionThreads);

    /// <summary>Training to convergence with the default solver (L-BFGS, tolerance 1e-6) and a little L2.</summary>
    public int TrainToConvergence() =>
        LogisticRegression.Train(Data, new TrainingOptions { L2 = 1.0 / Data.Rows, MaxDegreeOfParallelism = _threads }).Report.Iterations;
}
