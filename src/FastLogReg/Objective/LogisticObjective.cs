using System.Numerics;
using System.Numerics.Tensors;
using FastLogReg.Kernels;
using FastLogReg.Numerics;
using FastLogReg.Parallelism;

namespace FastLogReg;

/// <summary>
/// The L2-regularized logistic-regression objective over a <see cref="DenseDataset{T}"/>:
/// <code>
/// f(w, b) = (1/S) Σᵢ sᵢ·[softplus(zᵢ) − yᵢ·zᵢ] + (λ/2)‖w‖²,   zᵢ = wᵀxᵢ + b,   S = Σᵢ sᵢ
/// </code>
/// i.e. the (weighted) mean binary cross-entropy plus an L2 penalty that never touches the intercept. With unit
/// weights S = n; scikit-learn's <c>LogisticRegression(C)</c> minimizes the same function for λ = 1/(C·S).
/// The parameter vector is (w₀ … w_{d−1}, b), without b when the intercept is not fitted.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/> features; all sums are accumulated in double.</typeparam>
/// <remarks>
/// Each <see cref="Evaluate"/> is one fused pass over the data (value and gradient together), split into chunks fixed
/// by the data's shape and reduced in chunk order: the result is bit-identical for any degree of parallelism.
/// After construction an evaluation allocates nothing on one thread, and only <c>Parallel.For</c>'s own bookkeeping on
/// several. Not thread-safe: one evaluation at a time per instance.
/// </remarks>
public sealed class LogisticObjective<T> : IDifferentiableFunction
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly RowPartition _partition;
    private readonly ChunkRunner _runner;
    private readonly SimdWidth _width;
    private readonly int _blockRows;
    private readonly bool _prefetch;
    private readonly double[] _parameters;      // copy of the point being evaluated, readable from worker threads
    private readonly double[] _partialGradients; // ChunkCount slots of _gradientStride doubles
    private readonly int _gradientStride;        // ≥ Columns + 8, a multiple of 8: no two chunks' slots share a cache line
    private readonly double[] _partialLoss;      // per chunk
    private readonly double[] _partialResidual;  // per chunk

    /// <summary>Creates the objective.</summary>
    /// <param name="data">The training data.</param>
    /// <param name="l2">λ ≥ 0, the L2 strength.</param>
    /// <param name="fitIntercept">Whether b is a parameter (otherwise b = 0).</param>
    /// <param name="maxDegreeOfParallelism">Threads to use at most; null for all cores.</param>
    public LogisticObjective(DenseDataset<T> data, double l2 = 0, bool fitIntercept = true, int? maxDegreeOfParallelism = null)
        : this(data, l2, fitIntercept, maxDegreeOfParallelism, widthCap: null)
    {
    }

    internal LogisticObjective(DenseDataset<T> data, double l2, bool fitIntercept, int? maxDegreeOfParallelism, SimdWidth? widthCap)
    {
        ArgumentNullException.ThrowIfNull(data);
        TrainingOptions.ValidateL2(l2, nameof(l2));
        TrainingOptions.ValidateDegreeOfParallelism(maxDegreeOfParallelism, nameof(maxDegreeOfParallelism));
        Data = data;
        L2 = l2;
        FitIntercept = fitIntercept;
        int columns = data.Columns;
        int elementSize = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        _partition = RowPartition.For(data.Rows, columns, elementSize);
        _width = SimdWidthSelector.For(columns, widthCap);
        _blockRows = FusedLossGradient.BlockRows(columns, elementSize);
        _prefetch = FusedLossGradient.ShouldPrefetch((long)data.Rows * columns * elementSize);
        _parameters = new double[columns + 1];
        _gradientStride = ((columns + 7) & ~7) + 8;
        _partialGradients = new double[(long)_partition.ChunkCount * _gradientStride];
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

    /// <inheritdoc/>
    public int Dimension => Data.Columns + (FitIntercept ? 1 : 0);

    /// <summary>The data term (1/S) Σᵢ sᵢ·ℓᵢ of the most recent evaluation, without the penalty.</summary>
    public double LastLoss { get; private set; }

    /// <summary>How many times the data has been passed over (one per <see cref="Evaluate"/>).</summary>
    public long Evaluations { get; private set; }

    /// <summary>Threads an evaluation uses at most (never more than the number of chunks).</summary>
    public int DegreeOfParallelism => _runner.DegreeOfParallelism;

    internal SimdWidth Width => _width;

    internal int ChunkCount => _partition.ChunkCount;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A span's length differs from <see cref="Dimension"/>.</exception>
    public double Evaluate(ReadOnlySpan<double> point, Span<double> gradient)
    {
        int d = Data.Columns;
        if (point.Length != Dimension)
        {
            throw new ArgumentException($"The point has {point.Length} parameters but the objective has {Dimension} (d = {d}{(FitIntercept ? " plus the intercept" : string.Empty)}).", nameof(point));
        }

        if (gradient.Length != Dimension)
        {
            throw new ArgumentException($"The gradient span has {gradient.Length} elements but the objective has {Dimension}.", nameof(gradient));
        }

        point.CopyTo(_parameters);
        _parameters[d] = FitIntercept ? point[d] : 0.0;

        _runner.Run();

        // Reduce the per-chunk partial sums in chunk order: the result does not depend on which thread ran which chunk.
        Span<double> gw = gradient[..d];
        ReadOnlySpan<double> partials = _partialGradients;
        partials[..d].CopyTo(gw);
        double loss = _partialLoss[0];
        double residual = _partialResidual[0];
        for (int c = 1; c < _partition.ChunkCount; c++)
        {
            TensorPrimitives.Add(gw, partials.Slice(c * _gradientStride, d), gw);
            loss += _partialLoss[c];
            residual += _partialResidual[c];
        }

        double inverseWeight = 1.0 / Data.TotalWeight;
        ReadOnlySpan<double> w = _parameters.AsSpan(0, d);
        TensorPrimitives.Multiply(gw, inverseWeight, gw);
        double penalty = 0;
        if (L2 != 0)
        {
            TensorPrimitives.MultiplyAdd(w, L2, gw, gw);
            penalty = 0.5 * L2 * TensorPrimitives.SumOfSquares(w);
        }

        if (FitIntercept)
        {
            gradient[d] = residual * inverseWeight;
        }

        Evaluations++;
        LastLoss = loss * inverseWeight;
        return LastLoss + penalty;
    }

    private void ProcessChunk(int chunk)
    {
        switch (_width)
        {
            case SimdWidth.Vector512:
                ProcessChunk<System.Runtime.Intrinsics.Vector512<double>, Simd512>(chunk);
                break;
            case SimdWidth.Vector256:
                ProcessChunk<System.Runtime.Intrinsics.Vector256<double>, Simd256>(chunk);
                break;
            case SimdWidth.Vector128:
                ProcessChunk<System.Runtime.Intrinsics.Vector128<double>, Simd128>(chunk);
                break;
            default:
                ProcessChunk<double, SimdScalar>(chunk);
                break;
        }
    }

    private void ProcessChunk<TV, W>(int chunk)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        int d = Data.Columns;
        (int start, int count) = _partition[chunk];
        ReadOnlySpan<T> weights = Data.HasSampleWeights ? Data.SampleWeights.Span.Slice(start, count) : default;
        FusedLossGradient.Run<T, TV, W>(
            Data.Features.Span.Slice(start * d, count * d),
            Data.Labels.Span.Slice(start, count),
            weights,
            d,
            _blockRows,
            _prefetch,
            _parameters.AsSpan(0, d),
            _parameters[d],
            _partialGradients.AsSpan(chunk * _gradientStride, d),
            out _partialLoss[chunk],
            out _partialResidual[chunk]);
    }
}
