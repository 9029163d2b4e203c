using System.Numerics.Tensors;
using System.Numerics;
using System.Runtime.Intrinsics;
using FastLogReg.Data;
using FastLogReg.Internal;
using FastLogReg.Kernels;
using FastLogReg.Numerics;
using FastLogReg.Optimization;
using FastLogReg.Parallelism;
using FastLogReg.Training;

namespace FastLogReg.Objective;

/// <summary>
/// The L2-regularized logistic-regression objective over a <see cref="DenseDataset{T}"/>:
/// <code>
/// f(w, b) = (1/S) Σᵢ sᵢ·[softplus(zᵢ) − yᵢ·zᵢ] + (λ/2)‖w‖²,   zᵢ = wᵀx̃ᵢ + b,   S = Σᵢ sᵢ
/// </code>
/// i.e. the weighted mean binary cross-entropy plus an L2 penalty that never touches the intercept. sᵢ is the row's
/// sample weight (default 1) times its class weight (default 1); x̃ᵢ is xᵢ, or (xᵢ − μ)/σ with a <see cref="FeatureScaling"/>.
/// scikit-learn's <c>LogisticRegression(C)</c> minimizes the same function for λ = 1/(C·S).
/// The parameter vector is (w₀ … w_{d−1}, b), without b when the intercept is not fitted.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/> features; all sums are accumulated in double.</typeparam>
/// <remarks>
/// Each <see cref="Evaluate"/> is one fused pass over the data (value and gradient together), split into chunks fixed
/// by the data's shape and reduced in chunk order: the result is bit-identical for any degree of parallelism.
/// Standardization rescales the parameters, not the data: nothing is copied. After construction an evaluation allocates
/// nothing. Not thread-safe: one evaluation at a time per instance.
/// </remarks>
public sealed class LogisticObjective<T> : IStochasticFunction
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly RowPartition _partition;
    private readonly ChunkRunner _runner;
    private readonly SimdWidth _width;
    private readonly int _blockRows;
    private readonly bool _prefetch;
    private readonly double _classWeight0;
    private readonly double _classWeight1;
    private readonly CacheLineAligned _parameters;       // raw-space (w, b) of the point being evaluated, readable from worker threads
    private readonly CacheLineAligned _partialGradients; // ChunkCount slots of _gradientStride doubles
    private readonly int _gradientStride;        // ≥ Columns + 8, a multiple of 8: no two chunks' slots share a cache line
    private readonly double[] _partialLoss;      // per chunk
    private readonly double[] _partialResidual;  // per chunk
    private T[]? _batchFeatures;                 // mini-batch gather buffers, created on first use
    private T[]? _batchLabels;
    private T[]? _batchWeights;
    private long _rowsProcessed;

    /// <summary>Creates the objective.</summary>
    /// <param name="data">The training data.</param>
    /// <param name="l2">λ ≥ 0, the L2 strength.</param>
    /// <param name="fitIntercept">Whether b is a parameter (otherwise b = 0).</param>
    /// <param name="maxDegreeOfParallelism">Threads to use at most; null for all cores.</param>
    /// <param name="scaling">Standardize the features with this scaling (inside the kernel); null for raw features.</param>
    /// <param name="classWeights">Class weights; null for none.</param>
    public LogisticObjective(
        DenseDataset<T> data,
        double l2 = 0,
        bool fitIntercept = true,
        int? maxDegreeOfParallelism = null,
        FeatureScaling? scaling = null,
        ClassWeights? classWeights = null)
        : this(data, l2, fitIntercept, maxDegreeOfParallelism, widthCap: null, scaling, classWeights)
    {
    }

    internal LogisticObjective(
        DenseDataset<T> data,
        double l2,
        bool fitIntercept,
        int? maxDegreeOfParallelism,
        SimdWidth? widthCap,
        FeatureScaling? scaling = null,
        ClassWeights? classWeights = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        Require.L2(l2, nameof(l2));
        Require.DegreeOfParallelism(maxDegreeOfParallelism, nameof(maxDegreeOfParallelism));
        if (scaling is not null && scaling.Columns != data.Columns)
        {
            throw new ArgumentException($"The scaling has {scaling.Columns} columns but the data has {data.Columns}.", nameof(scaling));
        }

        Data = data;
        L2 = l2;
        FitIntercept = fitIntercept;
        Scaling = scaling;
        (_classWeight0, _classWeight1) = (classWeights ?? ClassWeights.None).Resolve(data);
        TotalWeight = _classWeight0 == 1 && _classWeight1 == 1 ? data.TotalWeight : WeightedTotal();
        int columns = data.Columns;
        int elementSize = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        _partition = RowPartition.For(data.Rows, columns, elementSize);
        _width = SimdWidthSelector.For(columns, widthCap);
        _blockRows = FusedLossGradient.BlockRows(columns, elementSize);
        _prefetch = FusedLossGradient.ShouldPrefetch((long)data.Rows * columns * elementSize);
        _parameters = new CacheLineAligned(columns + 1);
        _gradientStride = ((columns + 7) & ~7) + 8;
        _partialGradients = new CacheLineAligned(checked(_partition.ChunkCount * _gradientStride));
        _partialLoss = new double[_partition.ChunkCount];
        _partialResidual = new double[_partition.ChunkCount];
        _runner = new ChunkRunner(_partition.ChunkCount, maxDegreeOfParallelism, ProcessChunk);
    }

    /// <summary>The data the objective is evaluated on.</summary>
    public DenseDataset<T> Data { get; }

    /// <summary>λ, the L2 strength.</summary>
    public double L2 { get; }

    /// <summary>Whether the last parameter is the intercept b.</summary>
    public bool FitIntercept { get; }

    /// <summary>The standardization applied inside the kernel, or null.</summary>
    public FeatureScaling? Scaling { get; }

    /// <summary>S = Σᵢ sᵢ, the total row weight (sample × class weights; the row count when unweighted).</summary>
    public double TotalWeight { get; }

    /// <inheritdoc/>
    public int Dimension => Data.Columns + (FitIntercept ? 1 : 0);

    /// <inheritdoc/>
    public int SampleCount => Data.Rows;

    /// <summary>The data term (1/S) Σᵢ sᵢ·ℓᵢ of the most recent evaluation, without the penalty.</summary>
    public double LastLoss { get; private set; }

    /// <summary>Full evaluations so far (each is one pass over the data).</summary>
    public long Evaluations { get; private set; }

    /// <summary>Passes over the data so far: rows processed by full and mini-batch evaluations, divided by the row count.</summary>
    public double DataPasses => (double)_rowsProcessed / Data.Rows;

    /// <summary>Threads an evaluation uses at most (never more than the number of chunks).</summary>
    public int DegreeOfParallelism => _runner.DegreeOfParallelism;

    internal SimdWidth Width => _width;

    internal int ChunkCount => _partition.ChunkCount;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A span's length differs from <see cref="Dimension"/>.</exception>
    public double Evaluate(ReadOnlySpan<double> point, Span<double> gradient)
    {
        CheckLengths(point, gradient);
        LoadParameters(point);

        _runner.Run();

        // Reduce the per-chunk partial sums in chunk order: the result does not depend on which thread ran which chunk.
        int d = Data.Columns;
        Span<double> gw = gradient[..d];
        ReadOnlySpan<double> partials = _partialGradients.Span;
        partials[..d].CopyTo(gw);
        double loss = _partialLoss[0];
        double residual = _partialResidual[0];
        for (int c = 1; c < _partition.ChunkCount; c++)
        {
            TensorPrimitives.Add(gw, partials.Slice(c * _gradientStride, d), gw);
            loss += _partialLoss[c];
            residual += _partialResidual[c];
        }

        Evaluations++;
        _rowsProcessed += Data.Rows;
        return Finish(point, gradient, loss, residual, TotalWeight);
    }

    /// <inheritdoc/>
    /// <remarks>Gathers the rows into an internal buffer (reused; created on first use) and runs the fused kernel on one thread.</remarks>
    public double EvaluateSamples(ReadOnlySpan<double> point, Span<double> gradient, ReadOnlySpan<int> samples)
    {
        CheckLengths(point, gradient);
        if (samples.IsEmpty)
        {
            throw new ArgumentException("The batch has no rows.", nameof(samples));
        }

        int d = Data.Columns;
        int count = samples.Length;
        if (_batchFeatures is null || _batchLabels!.Length < count)
        {
            _batchFeatures = new T[count * d];
            _batchLabels = new T[count];
            _batchWeights = Data.HasSampleWeights ? new T[count] : null;
        }

        ReadOnlySpan<T> x = Data.Features.Span;
        ReadOnlySpan<T> y = Data.Labels.Span;
        ReadOnlySpan<T> s = Data.SampleWeights.Span;
        double total = 0;
        for (int k = 0; k < count; k++)
        {
            int i = samples[k];
            if ((uint)i >= (uint)Data.Rows)
            {
                ThrowHelper.ThrowRowOutOfRange(i, Data.Rows);
            }

            x.Slice(i * d, d).CopyTo(_batchFeatures.AsSpan(k * d, d));
            _batchLabels[k] = y[i];
            if (_batchWeights is not null)
            {
                _batchWeights[k] = s[i];
            }

            total += RowWeight(i);
        }

        LoadParameters(point);
        double loss = 0, residual = 0;
        if (total > 0)
        {
            RunKernel(
                _batchFeatures.AsSpan(0, count * d),
                _batchLabels.AsSpan(0, count),
                _batchWeights is null ? default : _batchWeights.AsSpan(0, count),
                gradient[..d],
                out loss,
                out residual);
        }
        else
        {
            gradient[..d].Clear();
            total = 1; // a batch of zero-weight rows carries no information: only the penalty's gradient remains
        }

        _rowsProcessed += count;
        return Finish(point, gradient, loss, residual, total);
    }

    private void CheckLengths(ReadOnlySpan<double> point, Span<double> gradient)
    {
        if (point.Length != Dimension)
        {
            throw new ArgumentException($"The point has {point.Length} parameters but the objective has {Dimension} (d = {Data.Columns}{(FitIntercept ? " plus the intercept" : string.Empty)}).", nameof(point));
        }

        if (gradient.Length != Dimension)
        {
            throw new ArgumentException($"The gradient span has {gradient.Length} elements but the objective has {Dimension}.", nameof(gradient));
        }
    }

    /// <summary>Writes the raw-feature parameters (w′, b′) the kernel uses for <paramref name="point"/>.</summary>
    private void LoadParameters(ReadOnlySpan<double> point)
    {
        int d = Data.Columns;
        double b = FitIntercept ? point[d] : 0.0;
        if (Scaling is null)
        {
            point[..d].CopyTo(_parameters.Span);
            _parameters[d] = b;
        }
        else
        {
            Scaling.ToRaw(point[..d], b, _parameters.Slice(0, d), out _parameters[d]);
        }
    }

    /// <summary>From the kernel's raw sums (Σ sᵢrᵢxᵢ in gradient[..d]) to the objective and its gradient at <paramref name="point"/>.</summary>
    private double Finish(ReadOnlySpan<double> point, Span<double> gradient, double loss, double residual, double totalWeight)
    {
        int d = Data.Columns;
        Span<double> gw = gradient[..d];
        Scaling?.GradientToStandardized(gw, residual);
        double inverseWeight = 1.0 / totalWeight;
        TensorPrimitives.Multiply(gw, inverseWeight, gw);
        double penalty = 0;
        if (L2 != 0)
        {
            ReadOnlySpan<double> w = point[..d];
            TensorPrimitives.MultiplyAdd(w, L2, gw, gw);
            penalty = 0.5 * L2 * TensorPrimitives.SumOfSquares(w);
        }

        if (FitIntercept)
        {
            gradient[d] = residual * inverseWeight;
        }

        LastLoss = loss * inverseWeight;
        return LastLoss + penalty;
    }

    private void ProcessChunk(int chunk)
    {
        int d = Data.Columns;
        (int start, int count) = _partition[chunk];
        ReadOnlySpan<T> weights = Data.HasSampleWeights ? Data.SampleWeights.Span.Slice(start, count) : default;
        RunKernel(
            Data.Features.Span.Slice(start * d, count * d),
            Data.Labels.Span.Slice(start, count),
            weights,
            _partialGradients.Slice(chunk * _gradientStride, d),
            out _partialLoss[chunk],
            out _partialResidual[chunk]);
    }

    private void RunKernel(ReadOnlySpan<T> features, ReadOnlySpan<T> labels, ReadOnlySpan<T> weights, Span<double> gradient, out double loss, out double residual)
    {
        int d = Data.Columns;
        ReadOnlySpan<double> w = _parameters.Slice(0, d);
        double b = _parameters[d];
        switch (_width)
        {
            case SimdWidth.Vector512:
                FusedLossGradient.Run<T, Vector512<double>, Simd512>(features, labels, weights, _classWeight0, _classWeight1, d, _blockRows, _prefetch, w, b, gradient, out loss, out residual);
                break;
            case SimdWidth.Vector256:
                FusedLossGradient.Run<T, Vector256<double>, Simd256>(features, labels, weights, _classWeight0, _classWeight1, d, _blockRows, _prefetch, w, b, gradient, out loss, out residual);
                break;
            case SimdWidth.Vector128:
                FusedLossGradient.Run<T, Vector128<double>, Simd128>(features, labels, weights, _classWeight0, _classWeight1, d, _blockRows, _prefetch, w, b, gradient, out loss, out residual);
                break;
            default:
                FusedLossGradient.Run<T, double, SimdScalar>(features, labels, weights, _classWeight0, _classWeight1, d, _blockRows, _prefetch, w, b, gradient, out loss, out residual);
                break;
        }
    }

    /// <summary>sᵢ, the weight of row <paramref name="row"/>: its sample weight (1 when unweighted) times its class's weight.</summary>
    internal double RowWeight(int row)
    {
        double sample = Data.HasSampleWeights ? FusedLossGradient.ToDouble(Data.SampleWeights.Span[row]) : 1.0;
        return sample * (Data.Labels.Span[row] == T.One ? _classWeight1 : _classWeight0);
    }

    private double WeightedTotal()
    {
        double total = 0;
        for (int i = 0; i < Data.Rows; i++)
        {
            total += RowWeight(i);
        }

        return total;
    }
}
