using FastLogReg.Numerics;
using System.Numerics;
using FastLogReg.Data;
using FastLogReg.Internal;
using FastLogReg.Kernels;
using FastLogReg.Parallelism;

namespace FastLogReg.Objective;

/// <summary>
/// The binomial <see cref="LossSums"/> of a local data set: each chunk of the layout's fixed partition runs the fused
/// kernel on some core into its own slots, and the slots are folded in chunk order — bit-identical for any number of
/// threads. Class totals (and so S and balanced class weights) are merged from per-chunk totals the same way.
/// </summary>
internal sealed class ChunkedBinomialLoss<T> : ICurvatureSource
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly FeatureLayout<T> _layout;
    private readonly ChunkRunner _runner;
    private readonly CacheLineAligned _parameters;       // w′ then b′ of the point being evaluated, readable from worker threads
    private CacheLineAligned? _partialGradientSlots;     // ChunkCount slots of _gradientStride doubles, on first use
    private readonly int _gradientStride;                // ≥ Columns + 8, a multiple of 8: no two chunks' slots share a cache line
    private readonly double[] _partialLoss;              // per chunk
    private readonly double[] _partialResidual;          // per chunk
    private double[]? _curvature;                        // cᵢ per row at the last prepared point, created on first use
    private double[]? _partialMoments;                   // per chunk: Σcx then Σcx² (2 × _gradientStride), on first use
    private readonly int? _maxDegreeOfParallelism;
    private GramBuilder<T>? _gram;                       // on first use
    private Pass _pass;

    // The column-major gradient of wide sparse data (null otherwise): each chunk's rows' pass writes one value per row
    // into _rowValues, then the chunk's column-major copy (_columns) sums them per touched column into its compact slots
    // of _compactSums; the fold scatters the compact slots into the gradient in chunk order.
    // Created at the first evaluation (an objective built only for its learning rate never pays for the copy).
    private readonly CsrLayout<T>? _csr;
    private CscCopy<T>? _columns;
    private double[]? _rowValues;
    private double[]? _compactSums;
    private double[]? _compactSquares;                   // the second moments' compact sums, on first use
    private int[]? _foldBounds;                          // column ranges of the parallel fold, fixed by d
    private ChunkRunner? _foldRunner;
    private double[]? _foldSource;                       // the compact sums being folded
    private double[]? _foldTarget;                       // d values

    /// <summary>
    /// From this many columns on, sparse rows get their gradient (and Hessian-vector products) per chunk from a
    /// column-major copy of the chunk's non-zeros (<see cref="CscCopy{T}"/>) into compact slots of the columns the chunk
    /// touches: per-chunk gradients of d values would otherwise be cleared, scattered into and folded every pass. The
    /// sums are the same bits either way. Measured (BenchmarkDotNet, Zen 5, two threads): 1.33× faster epochs and 1.43×
    /// faster Hessian-vector products at d = 10⁶, but 1.10× / 1.16× slower at d = 500,000 (600 non-zeros per row) — the
    /// threshold sits between the two; it is not tuned beyond them.
    /// </summary>
    internal const int ColumnMajorColumns = 1 << 19;

    public ChunkedBinomialLoss(FeatureLayout<T> layout, int? maxDegreeOfParallelism, double classWeight0, double classWeight1, double totalWeight, bool? columnMajor = null)
    {
        _layout = layout;
        _maxDegreeOfParallelism = maxDegreeOfParallelism;
        ClassWeight0 = classWeight0;
        ClassWeight1 = classWeight1;
        TotalWeight = totalWeight;
        int columns = layout.Columns;
        int chunks = layout.Partition.ChunkCount;
        _parameters = new CacheLineAligned(columns + 1);
        _gradientStride = ((columns + 7) & ~7) + 8;
        _partialLoss = new double[chunks];
        _partialResidual = new double[chunks];
        _runner = new ChunkRunner(chunks, maxDegreeOfParallelism, ProcessChunk);
        if (layout is CsrLayout<T> csr && (columnMajor ?? UsesColumnMajor(csr)))
        {
            _csr = csr;
        }
    }

    /// <summary>Whether the gradient is taken column by column (wide sparse data).</summary>
    public bool ColumnMajor => _csr is not null;

    /// <summary>The column-major copy and its buffers, built on the calling thread before the first column-major pass.</summary>
    private void EnsureColumnCopy()
    {
        if (_columns is null)
        {
            var columns = CscCopy<T>.Create(((SparseDataset<T>)_layout.Data).Matrix, _layout.Partition);
            _compactSums = new double[columns.CompactLength];
            _rowValues = new double[_layout.Data.Rows];
            int ranges = Math.Clamp(Columns / 8192, 1, 64);
            _foldBounds = new int[ranges + 1];
            for (int r = 0; r <= ranges; r++)
            {
                _foldBounds[r] = (int)((long)r * Columns / ranges);
            }

            _foldTarget = new double[Columns];
            _foldRunner = new ChunkRunner(ranges, _maxDegreeOfParallelism, FoldRange);
            _columns = columns;
        }
    }

    /// <summary>
    /// The chunks' compact column sums scattered into <paramref name="destination"/> (d values) in chunk order — the fold
    /// of the per-chunk gradients — by column ranges on every core (each column's additions keep chunk order).
    /// </summary>
    private void FoldCompact(Span<double> destination, double[] compact)
    {
        _foldSource = compact;
        _foldRunner!.Run();
        _foldTarget.AsSpan().CopyTo(destination);
    }

    /// <summary>Columns [_foldBounds[r], _foldBounds[r + 1]) of the fold: chunk 0's sums assigned (the others' zero), later chunks' added.</summary>
    private void FoldRange(int range)
    {
        int from = _foldBounds![range], to = _foldBounds[range + 1];
        Span<double> target = _foldTarget.AsSpan(from, to - from);
        target.Clear();
        for (int c = 0; c < _columns!.ChunkCount; c++)
        {
            ReadOnlySpan<int> columns = _columns.Columns(c);
            int lo = LowerBound(columns, from), hi = LowerBound(columns, to);
            ReadOnlySpan<int> some = columns[lo..hi];
            ReadOnlySpan<double> sums = _columns.Compact(_foldSource!, c)[lo..hi];
            if (c == 0)
            {
                for (int k = 0; k < some.Length; k++)
                {
                    target[some[k] - from] = sums[k];
                }
            }
            else
            {
                for (int k = 0; k < some.Length; k++)
                {
                    target[some[k] - from] += sums[k];
                }
            }
        }
    }

    /// <summary>The first position in the ascending <paramref name="sorted"/> whose value is ≥ <paramref name="value"/>.</summary>
    private static int LowerBound(ReadOnlySpan<int> sorted, int value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>
    /// The rule: sparse rows of at least <see cref="ColumnMajorColumns"/> columns in managed memory (the copy is managed;
    /// rows the caller keeps in native or memory-mapped memory are not duplicated) and at most
    /// <see cref="Array.MaxLength"/> non-zeros.
    /// </summary>
    private static bool UsesColumnMajor(CsrLayout<T> csr)
    {
        CsrMatrix<T> matrix = ((SparseDataset<T>)csr.Data).Matrix;
        return csr.Columns >= ColumnMajorColumns && !matrix.ValueElements.IsNative && matrix.NonZeros <= Array.MaxLength;
    }

    /// <summary>The per-chunk gradient slots; created on the calling thread before a pass that writes them (<see cref="RunPass"/>).</summary>
    private CacheLineAligned PartialGradients => _partialGradientSlots ?? throw new InvalidOperationException("The per-chunk gradient slots are created before a pass.");

    public int Columns => _layout.Columns;

    /// <inheritdoc/>
    public bool SparseRows => _layout.Data is SparseDataset<T>;

    public double TotalWeight { get; }

    public double ClassWeight0 { get; }

    public double ClassWeight1 { get; }

    public int ChunkCount => _layout.Partition.ChunkCount;

    public int DegreeOfParallelism => _runner.DegreeOfParallelism;

    public void Evaluate(ReadOnlySpan<double> weights, double bias, LossSums sums)
    {
        ArgumentNullException.ThrowIfNull(sums);
        Evaluate(weights, bias, sums.Gradient, out double loss, out double residual);
        sums.Loss = loss;
        sums.Residual = residual;
    }

    /// <summary>The sums at (<paramref name="weights"/>, <paramref name="bias"/>), the gradient sums straight into <paramref name="gradient"/> (d values).</summary>
    public void Evaluate(ReadOnlySpan<double> weights, double bias, Span<double> gradient, out double loss, out double residual)
    {
        int d = Columns;
        if (_csr is not null)
        {
            EnsureColumnCopy();

            // Each chunk's residuals, then its compact Xᵀr; the compact sums folded in chunk order.
            RunPass(weights, bias, Pass.GradientRows);
            FoldCompact(gradient[..d], _compactSums!);
            FoldScalars(out loss, out residual);
            return;
        }

        RunPass(weights, bias, Pass.Gradient);

        // Reduce the per-chunk partial sums in chunk order: the result does not depend on which thread ran which chunk.
        Span<double> gw = gradient[..d];
        ReadOnlySpan<double> partials = PartialGradients.Span;
        partials[..d].CopyTo(gw);
        for (int c = 1; c < _partialLoss.Length; c++)
        {
            SmallVectors.Add(gw, partials.Slice(c * _gradientStride, d), gw);
        }

        FoldScalars(out loss, out residual);
    }

    /// <summary>Each chunk's own sums at (<paramref name="weights"/>, <paramref name="bias"/>), unfolded, into <paramref name="perChunk"/> (one per chunk, in order).</summary>
    public void EvaluateChunks(ReadOnlySpan<double> weights, double bias, IReadOnlyList<LossSums> perChunk)
    {
        int d = Columns;
        RunPass(weights, bias, Pass.Gradient);
        ReadOnlySpan<double> partials = PartialGradients.Span;
        for (int c = 0; c < _partialLoss.Length; c++)
        {
            LossSums sums = perChunk[c];
            partials.Slice(c * _gradientStride, d).CopyTo(sums.Gradient);
            sums.Loss = _partialLoss[c];
            sums.Residual = _partialResidual[c];
        }
    }

    /// <summary>The sums over the rows <paramref name="samples"/> only (on the calling thread); returns their total weight.</summary>
    public double EvaluateSamples(ReadOnlySpan<double> weights, double bias, ReadOnlySpan<int> samples, Span<double> gradient, out double loss, out double residual)
    {
        Dataset<T> data = _layout.Data;
        double total = 0;
        foreach (int i in samples)
        {
            if ((uint)i >= (uint)data.Rows)
            {
                ThrowHelper.ThrowRowOutOfRange(i, data.Rows);
            }

            double sample = data.HasSampleWeights ? double.CreateTruncating(data.SampleWeights.Span[i]) : 1.0;
            total += sample * (data.Labels.Span[i] == T.One ? ClassWeight1 : ClassWeight0);
        }

        if (!(total > 0))
        {
            gradient[..Columns].Clear();
            loss = 0;
            residual = 0;
            return total;
        }

        _layout.BinomialSamples(samples, new BinomialPoint(weights, bias, ClassWeight0, ClassWeight1), gradient[..Columns], out loss, out residual);
        return total;
    }

    /// <summary>
    /// <see cref="PrepareCurvature"/>, each chunk's part unfolded: Σc per chunk into <paramref name="totals"/> and, when
    /// <paramref name="sumCx"/> is not null, Σcx and Σcx² per chunk into <paramref name="sumCx"/>/<paramref name="sumCx2"/>.
    /// </summary>
    public void PrepareCurvatureChunks(ReadOnlySpan<double> weights, double bias, Span<double> totals, IReadOnlyList<double[]>? sumCx, IReadOnlyList<double[]>? sumCx2)
    {
        int d = Columns;
        bool moments = sumCx is not null;
        RunCurvature(weights, bias, moments ? Pass.CurvatureAndMoments : Pass.Curvature);
        for (int c = 0; c < ChunkCount; c++)
        {
            totals[c] = _partialResidual[c];
            if (moments)
            {
                _partialMoments.AsSpan(c * 2 * _gradientStride, d).CopyTo(sumCx![c]);
                _partialMoments.AsSpan((c * 2 * _gradientStride) + _gradientStride, d).CopyTo(sumCx2![c]);
            }
        }
    }

    /// <summary><see cref="HessianVector"/>, each chunk's part unfolded into <paramref name="perChunk"/> (Gradient: the product; Residual: its intercept component).</summary>
    public void HessianVectorChunks(ReadOnlySpan<double> direction, double directionBias, IReadOnlyList<LossSums> perChunk)
    {
        int d = Columns;
        RunHessianVector(direction, directionBias);
        for (int c = 0; c < ChunkCount; c++)
        {
            PartialGradients.Span.Slice(c * _gradientStride, d).CopyTo(perChunk[c].Gradient);
            perChunk[c].Residual = _partialResidual[c];
            perChunk[c].Loss = 0;
        }
    }

    /// <inheritdoc/>
    public double PrepareCurvature(ReadOnlySpan<double> weights, double bias, Span<double> sumCx, Span<double> sumCx2)
    {
        int d = Columns;
        bool moments = !sumCx.IsEmpty;
        bool compact = moments && _csr is not null;
        if (compact)
        {
            // Each chunk's moments column by column into compact slots, folded as the row-major slots are: the same bits.
            EnsureColumnCopy();
            _compactSquares ??= new double[_compactSums!.Length];
            RunCurvature(weights, bias, Pass.CurvatureAndMomentsColumns);
        }
        else
        {
            RunCurvature(weights, bias, moments ? Pass.CurvatureAndMoments : Pass.Curvature);
        }

        double total = SumOfResiduals();

        if (compact)
        {
            FoldCompact(sumCx[..d], _compactSums!);
            FoldCompact(sumCx2[..d], _compactSquares!);
        }
        else if (moments)
        {
            ReadOnlySpan<double> partials = _partialMoments;
            partials[..d].CopyTo(sumCx);
            partials.Slice(_gradientStride, d).CopyTo(sumCx2);
            for (int c = 1; c < ChunkCount; c++)
            {
                SmallVectors.Add(sumCx, partials.Slice(c * 2 * _gradientStride, d), sumCx);
                SmallVectors.Add(sumCx2, partials.Slice((c * 2 * _gradientStride) + _gradientStride, d), sumCx2);
            }
        }

        return total;
    }

    /// <inheritdoc/>
    public void HessianVector(ReadOnlySpan<double> direction, double directionBias, Span<double> product, out double productBias)
    {
        int d = Columns;
        if (_csr is not null)
        {
            EnsureColumnCopy();
            RunHessianVector(direction, directionBias, Pass.HessianVectorRows);
            FoldCompact(product[..d], _compactSums!);
            productBias = SumOfResiduals();
            return;
        }

        RunHessianVector(direction, directionBias);
        Span<double> q = product[..d];
        ReadOnlySpan<double> partials = PartialGradients.Span;
        partials[..d].CopyTo(q);
        for (int c = 1; c < ChunkCount; c++)
        {
            SmallVectors.Add(q, partials.Slice(c * _gradientStride, d), q);
        }

        productBias = SumOfResiduals();
    }

    /// <inheritdoc/>
    /// <remarks>Bit-identical for any number of threads (<see cref="GramBuilder{T}"/>).</remarks>
    public bool TryWeightedGram(FeatureScaling? scaling, Span<double> gram)
    {
        if (_curvature is null)
        {
            throw new InvalidOperationException("PrepareCurvature has not been called: the Hessian is taken at a prepared point.");
        }

        _gram ??= new GramBuilder<T>(_layout, _maxDegreeOfParallelism);
        _gram.Compute(_curvature, scaling is null ? default : scaling.Means, scaling is null ? default : scaling.Scales, gram);
        return true;
    }

    /// <summary>The curvature pass <paramref name="pass"/> at (<paramref name="weights"/>, <paramref name="bias"/>): cᵢ per row cached, Σc per chunk (and the moments, per-chunk slots or compact).</summary>
    private void RunCurvature(ReadOnlySpan<double> weights, double bias, Pass pass)
    {
        _curvature ??= new double[_layout.Data.Rows];
        if (pass == Pass.CurvatureAndMoments)
        {
            _partialMoments ??= new double[checked(ChunkCount * 2 * _gradientStride)];
        }

        RunPass(weights, bias, pass);
    }

    /// <summary>The Hessian-vector pass at the prepared point: each chunk's product in its gradient slot.</summary>
    private void RunHessianVector(ReadOnlySpan<double> direction, double directionBias, Pass pass = Pass.HessianVector)
    {
        if (_curvature is null)
        {
            throw new InvalidOperationException("PrepareCurvature has not been called: the Hessian is taken at a prepared point.");
        }

        RunPass(direction, directionBias, pass);
    }

    /// <summary>The per-chunk loss and residual sums folded in chunk order.</summary>
    private void FoldScalars(out double loss, out double residual)
    {
        loss = _partialLoss[0];
        for (int c = 1; c < _partialLoss.Length; c++)
        {
            loss += _partialLoss[c];
        }

        residual = SumOfResiduals();
    }

    /// <summary>The per-chunk residual slots (gb, Σc, or the product's intercept part, by pass) folded in chunk order.</summary>
    private double SumOfResiduals()
    {
        double sum = _partialResidual[0];
        for (int c = 1; c < _partialResidual.Length; c++)
        {
            sum += _partialResidual[c];
        }

        return sum;
    }

    /// <summary>Runs <paramref name="pass"/> over every chunk with (<paramref name="vector"/>, <paramref name="last"/>) as its parameters, then returns to the gradient pass.</summary>
    private void RunPass(ReadOnlySpan<double> vector, double last, Pass pass)
    {
        vector.CopyTo(_parameters.Span);
        _parameters[Columns] = last;
        if (pass is Pass.Gradient or Pass.HessianVector)
        {
            _partialGradientSlots ??= new CacheLineAligned(checked(ChunkCount * _gradientStride));
        }

        _pass = pass;
        _runner.Run();
        _pass = Pass.Gradient;
    }

    private void ProcessChunk(int chunk)
    {
        int d = Columns;
        (int start, int count) = _layout.Partition[chunk];
        switch (_pass)
        {
            case Pass.Gradient:
                var point = new BinomialPoint(_parameters.Slice(0, d), _parameters[d], ClassWeight0, ClassWeight1);
                _layout.Binomial(start, count, point, PartialGradients.Slice(chunk * _gradientStride, d), out _partialLoss[chunk], out _partialResidual[chunk]);
                break;
            case Pass.Curvature:
            case Pass.CurvatureAndMoments:
                var at = new BinomialPoint(_parameters.Slice(0, d), _parameters[d], ClassWeight0, ClassWeight1);
                Span<double> sumCx = default, sumCx2 = default;
                if (_pass == Pass.CurvatureAndMoments)
                {
                    sumCx = _partialMoments.AsSpan(chunk * 2 * _gradientStride, d);
                    sumCx2 = _partialMoments.AsSpan((chunk * 2 * _gradientStride) + _gradientStride, d);
                    sumCx.Clear();
                    sumCx2.Clear();
                }

                _partialResidual[chunk] = _layout.Curvature(start, count, at, _curvature.AsSpan(start, count), sumCx, sumCx2);
                break;
            case Pass.CurvatureAndMomentsColumns:
                _partialResidual[chunk] = _layout.Curvature(start, count, new BinomialPoint(_parameters.Slice(0, d), _parameters[d], ClassWeight0, ClassWeight1), _curvature.AsSpan(start, count), default, default);
                _columns!.Moments(chunk, _curvature.AsSpan(start, count), _compactSums!, _compactSquares!);
                break;
            case Pass.GradientRows:
                _csr!.BinomialResiduals(start, count, new BinomialPoint(_parameters.Slice(0, d), _parameters[d], ClassWeight0, ClassWeight1), _rowValues.AsSpan(start, count), out _partialLoss[chunk], out _partialResidual[chunk]);
                _columns!.Transpose(chunk, _rowValues.AsSpan(start, count), _compactSums!);
                break;
            case Pass.HessianVectorRows:
                _partialResidual[chunk] = _csr!.HessianVectorRows(start, count, _parameters.Slice(0, d), _parameters[d], _curvature.AsSpan(start, count), _rowValues.AsSpan(start, count));
                _columns!.Transpose(chunk, _rowValues.AsSpan(start, count), _compactSums!);
                break;
            case Pass.HessianVector:
                _partialResidual[chunk] = _layout.HessianVector(start, count, _parameters.Slice(0, d), _parameters[d], _curvature.AsSpan(start, count), PartialGradients.Slice(chunk * _gradientStride, d));
                break;
        }
    }

    private enum Pass
    {
        Gradient,
        Curvature,
        CurvatureAndMoments,
        HessianVector,
        GradientRows,
        HessianVectorRows,
        CurvatureAndMomentsColumns,
    }
}
