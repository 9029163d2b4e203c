using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FastLogReg.Data;
using FastLogReg.Numerics;
using FastLogReg.Parallelism;

namespace FastLogReg.Kernels;

/// <summary>
/// Compressed sparse rows: the fused kernel of <see cref="SparseLossGradient"/>; chunks cut by non-zeros (about 1 MiB of
/// values and indices each), fixed by the data.
/// </summary>
internal sealed class CsrLayout<T> : FeatureLayout<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly SparseDataset<T> _data;
    private readonly CsrMatrix<T> _matrix;
    private long[]? _batchOffsets; // mini-batch gather buffers, created on first use
    private int[]? _batchIndices;
    private T[]? _batchValues;
    private T[]? _batchLabels;
    private T[]? _batchWeights;

    public CsrLayout(SparseDataset<T> data, SimdWidth? widthCap)
        : this(data, widthCap, RowPartition.Sparse(data.Matrix.RowOffsets.Span, data.Columns, System.Runtime.CompilerServices.Unsafe.SizeOf<T>()))
    {
    }

    /// <summary>The rows cut at given chunk boundaries (a shard of a larger data set, cut as the whole is).</summary>
    public CsrLayout(SparseDataset<T> data, SimdWidth? widthCap, RowPartition partition)
        : base(data, SimdWidthSelector.Narrower(SimdWidthSelector.Widest, widthCap), partition)
    {
        _data = data;
        _matrix = data.Matrix;
    }

    public override void Binomial(int start, int count, scoped in BinomialPoint point, Span<double> gradient, out double loss, out double residual)
    {
        SparseRow<T> block = _matrix.Block(start, count, out _);
        ReadOnlySpan<T> weights = _data.HasSampleWeights ? _data.SampleWeights.Span.Slice(start, count) : default;
        Run(new SparseBlock<T>(block.Indices, block.Values), _matrix.RowOffsets.Span.Slice(start, count + 1), _data.Labels.Span.Slice(start, count), weights, point, gradient, out loss, out residual);
    }

    public override void BinomialSamples(ReadOnlySpan<int> samples, scoped in BinomialPoint point, Span<double> gradient, out double loss, out double residual)
    {
        int count = samples.Length;
        ReadOnlySpan<long> offsets = _matrix.RowOffsets.Span;
        long nonZeros = 0;
        foreach (int i in samples)
        {
            nonZeros += offsets[i + 1] - offsets[i];
        }

        if (_batchOffsets is null || _batchOffsets.Length < count + 1)
        {
            _batchOffsets = new long[count + 1];
            _batchLabels = new T[count];
            _batchWeights = _data.HasSampleWeights ? new T[count] : null;
        }

        if (_batchIndices is null || _batchIndices.Length < nonZeros)
        {
            _batchIndices = new int[checked((int)nonZeros)];
            _batchValues = new T[nonZeros];
        }

        ReadOnlySpan<T> y = _data.Labels.Span;
        ReadOnlySpan<T> s = _data.SampleWeights.Span;
        int at = 0;
        for (int k = 0; k < count; k++)
        {
            int i = samples[k];
            SparseRow<T> row = _matrix.GetRow(i);
            _batchOffsets[k] = at;
            row.Indices.CopyTo(_batchIndices.AsSpan(at));
            row.Values.CopyTo(_batchValues.AsSpan(at));
            at += row.Indices.Length;
            _batchLabels![k] = y[i];
            if (_batchWeights is not null)
            {
                _batchWeights[k] = s[i];
            }
        }

        _batchOffsets[count] = at;
        Run(new SparseBlock<T>(_batchIndices.AsSpan(0, at), _batchValues.AsSpan(0, at)), _batchOffsets.AsSpan(0, count + 1), _batchLabels.AsSpan(0, count), _batchWeights is null ? default : _batchWeights.AsSpan(0, count), point, gradient, out loss, out residual);
    }

    public override void Margins(int start, int count, ReadOnlySpan<double> w, double b, Span<double> z)
    {
        SparseRow<T> block = _matrix.Block(start, count, out long origin);
        ReadOnlySpan<long> offsets = _matrix.RowOffsets.Span;
        ref int j0 = ref MemoryMarshal.GetReference(block.Indices);
        ref T v0 = ref MemoryMarshal.GetReference(block.Values);
        ref double w0 = ref MemoryMarshal.GetReference(w);
        for (int r = 0; r < count; r++)
        {
            int first = (int)(offsets[start + r] - origin);
            int length = (int)(offsets[start + r + 1] - origin) - first;
            z[r] = SparseLossGradient.Dot(ref System.Runtime.CompilerServices.Unsafe.Add(ref j0, first), ref System.Runtime.CompilerServices.Unsafe.Add(ref v0, first), length, ref w0) + b;
        }
    }

    public override double HessianVector(int start, int count, ReadOnlySpan<double> u, double ub, ReadOnlySpan<double> curvature, Span<double> product)
    {
        product.Clear();
        SparseRow<T> block = _matrix.Block(start, count, out long origin);
        ReadOnlySpan<long> offsets = _matrix.RowOffsets.Span.Slice(start, count + 1);
        ref int j0 = ref MemoryMarshal.GetReference(block.Indices);
        ref T v0 = ref MemoryMarshal.GetReference(block.Values);
        ref double u0 = ref MemoryMarshal.GetReference(u);
        ref double q0 = ref MemoryMarshal.GetReference(product);
        curvature = curvature[..count];
        double sum = 0;
        for (int i = 0; i < curvature.Length; i++)
        {
            int first = (int)(offsets[i] - origin);
            int length = (int)(offsets[i + 1] - origin) - first;
            ref int j = ref System.Runtime.CompilerServices.Unsafe.Add(ref j0, first);
            ref T v = ref System.Runtime.CompilerServices.Unsafe.Add(ref v0, first);
            double t = curvature[i] * (SparseLossGradient.Dot(ref j, ref v, length, ref u0) + ub);
            sum += t;
            SparseLossGradient.Scatter(ref j, ref v, length, t, ref q0);
        }

        return sum;
    }

    public override void DenseRow(int row, Span<double> destination)
    {
        SparseRow<T> r = _matrix.GetRow(row);
        for (int k = 0; k < r.Indices.Length; k++)
        {
            destination[r.Indices[k]] = double.CreateTruncating(r.Values[k]);
        }
    }

    public override void WeightedMoments(int start, int count, ReadOnlySpan<double> c, Span<double> sumCx, Span<double> sumCx2)
    {
        for (int i = 0; i < count; i++)
        {
            SparseRow<T> row = _matrix.GetRow(start + i);
            for (int k = 0; k < row.Indices.Length; k++)
            {
                double v = double.CreateTruncating(row.Values[k]);
                sumCx[row.Indices[k]] += c[i] * v;
                sumCx2[row.Indices[k]] += c[i] * v * v;
            }
        }
    }

    public override double[] MomentShift() => new double[Columns];

    public override void Moments(int start, int count, ReadOnlySpan<double> shift, double[]? unit, Span<double> sum, Span<double> squares, Span<double> largest = default)
    {
        bool track = !largest.IsEmpty;
        // The shift is zero for sparse rows (a shift would fill in the zeros): absent entries contribute nothing.
        ReadOnlySpan<T> s = _data.SampleWeights.Span;
        for (int i = start; i < start + count; i++)
        {
            SparseRow<T> row = _matrix.GetRow(i);
            double weight = _data.HasSampleWeights ? double.CreateTruncating(s[i]) : 1.0;
            for (int k = 0; k < row.Indices.Length; k++)
            {
                int j = row.Indices[k];
                double u = double.CreateTruncating(row.Values[k]);
                if (unit is not null)
                {
                    u /= unit[j];
                }

                sum[j] += weight * u;
                squares[j] += weight * (u * u);
                if (track && !(Math.Abs(u) <= largest[j]))
                {
                    largest[j] = Math.Abs(u);
                }
            }
        }
    }

    public override void LargestDeviations(ReadOnlySpan<double> shift, Span<double> largest)
    {
        for (int i = 0; i < _data.Rows; i++)
        {
            SparseRow<T> row = _matrix.GetRow(i);
            for (int k = 0; k < row.Indices.Length; k++)
            {
                int j = row.Indices[k];
                largest[j] = Math.Max(largest[j], Math.Abs(double.CreateTruncating(row.Values[k])));
            }
        }
    }

    public override double WeightedSquaredNorms(int start, int count, ReadOnlySpan<double> means, ReadOnlySpan<double> scales, double unit, double intercept, ReadOnlySpan<double> classWeights)
    {
        // ‖(x − μ)/σ‖² = Σ over the non-zeros of (x² − 2xμ)/σ² + Σ over all columns of μ²/σ² (the second term is the
        // same for every row), so the zeros are never visited.
        double dense = 0;
        for (int j = 0; j < means.Length; j++)
        {
            double c = means[j] / scales[j] / unit;
            dense += c * c;
        }

        double total = 0;
        for (int i = start; i < start + count; i++)
        {
            SparseRow<T> row = _matrix.GetRow(i);
            double rowSquares = intercept + dense;
            for (int k = 0; k < row.Indices.Length; k++)
            {
                int j = row.Indices[k];
                double v = double.CreateTruncating(row.Values[k]);
                if (means.IsEmpty)
                {
                    v /= unit;
                    rowSquares += v * v;
                }
                else
                {
                    double x = v / scales[j] / unit, m = means[j] / scales[j] / unit;
                    rowSquares += (x * x) - (2 * x * m);
                }
            }

            total += RowWeight(i, classWeights) * rowSquares;
        }

        return total;
    }

    public override bool FeatureMajorClasses => true;

    public override double Softmax(int start, int count, ReadOnlySpan<double> w, ReadOnlySpan<double> b, ReadOnlySpan<double> classWeights, bool oneVsRest, Span<double> gradient, Span<double> residualSums, bool floatProducts = false)
    {
        SparseRow<T> block = _matrix.Block(start, count, out _);
        ReadOnlySpan<T> s = _data.HasSampleWeights ? _data.SampleWeights.Span.Slice(start, count) : default;
        var rows = new SparseBlock<T>(block.Indices, block.Values);
        ReadOnlySpan<long> offsets = _matrix.RowOffsets.Span.Slice(start, count + 1);
        ReadOnlySpan<T> labels = _data.Labels.Span.Slice(start, count);
        return Width switch
        {
            SimdWidth.Vector512 => SparseSoftmaxLossGradient.Run<T, Vector512<double>, Simd512>(rows, offsets, labels, s, classWeights, w, b, oneVsRest, gradient, residualSums),
            SimdWidth.Vector256 => SparseSoftmaxLossGradient.Run<T, Vector256<double>, Simd256>(rows, offsets, labels, s, classWeights, w, b, oneVsRest, gradient, residualSums),
            SimdWidth.Vector128 => SparseSoftmaxLossGradient.Run<T, Vector128<double>, Simd128>(rows, offsets, labels, s, classWeights, w, b, oneVsRest, gradient, residualSums),
            _ => SparseSoftmaxLossGradient.Run<T, double, SimdScalar>(rows, offsets, labels, s, classWeights, w, b, oneVsRest, gradient, residualSums),
        };
    }

    /// <inheritdoc/>
    public override void SoftmaxHessianVector(int start, int count, ReadOnlySpan<double> v, ReadOnlySpan<double> vb, ReadOnlySpan<double> probabilities, int probabilityStride, ReadOnlySpan<double> classWeights, bool oneVsRest, Span<double> product, Span<double> productSums)
    {
        SparseRow<T> block = _matrix.Block(start, count, out _);
        ReadOnlySpan<T> s = _data.HasSampleWeights ? _data.SampleWeights.Span.Slice(start, count) : default;
        var rows = new SparseBlock<T>(block.Indices, block.Values);
        ReadOnlySpan<long> offsets = _matrix.RowOffsets.Span.Slice(start, count + 1);
        ReadOnlySpan<T> labels = _data.Labels.Span.Slice(start, count);
        _ = Width switch
        {
            SimdWidth.Vector512 => SparseSoftmaxLossGradient.Run<T, Vector512<double>, Simd512>(rows, offsets, labels, s, classWeights, v, vb, oneVsRest, product, productSums, probabilities, probabilityStride),
            SimdWidth.Vector256 => SparseSoftmaxLossGradient.Run<T, Vector256<double>, Simd256>(rows, offsets, labels, s, classWeights, v, vb, oneVsRest, product, productSums, probabilities, probabilityStride),
            SimdWidth.Vector128 => SparseSoftmaxLossGradient.Run<T, Vector128<double>, Simd128>(rows, offsets, labels, s, classWeights, v, vb, oneVsRest, product, productSums, probabilities, probabilityStride),
            _ => SparseSoftmaxLossGradient.Run<T, double, SimdScalar>(rows, offsets, labels, s, classWeights, v, vb, oneVsRest, product, productSums, probabilities, probabilityStride),
        };
    }

    /// <summary>
    /// The fused pass of <see cref="Binomial"/> over rows [<paramref name="start"/>, +<paramref name="count"/>) without
    /// its scatter: each row's residual sᵢ·(σ(zᵢ) − yᵢ) into <paramref name="rowResiduals"/> (count values), for a
    /// gradient taken column by column (<see cref="CscCopy{T}"/>).
    /// </summary>
    public void BinomialResiduals(int start, int count, scoped in BinomialPoint point, Span<double> rowResiduals, out double loss, out double residual)
    {
        SparseRow<T> block = _matrix.Block(start, count, out _);
        ReadOnlySpan<T> weights = _data.HasSampleWeights ? _data.SampleWeights.Span.Slice(start, count) : default;
        Run(new SparseBlock<T>(block.Indices, block.Values), _matrix.RowOffsets.Span.Slice(start, count + 1), _data.Labels.Span.Slice(start, count), weights, point, default, out loss, out residual, rowResiduals);
    }

    /// <summary>
    /// tᵢ = cᵢ·(xᵢᵀu + u_b) into <paramref name="rowProducts"/> over rows [<paramref name="start"/>, +<paramref name="count"/>),
    /// returning Σ tᵢ: <see cref="HessianVector"/> without its scatter (Xᵀt is taken column by column).
    /// </summary>
    public double HessianVectorRows(int start, int count, ReadOnlySpan<double> u, double ub, ReadOnlySpan<double> curvature, Span<double> rowProducts)
    {
        Margins(start, count, u, ub, rowProducts);
        double sum = 0;
        for (int i = 0; i < count; i++)
        {
            double t = curvature[i] * rowProducts[i];
            rowProducts[i] = t;
            sum += t;
        }

        return sum;
    }

    private void Run(scoped SparseBlock<T> block, ReadOnlySpan<long> offsets, ReadOnlySpan<T> labels, ReadOnlySpan<T> weights, scoped in BinomialPoint p, Span<double> gradient, out double loss, out double residual, Span<double> rowResiduals = default)
    {
        switch (Width)
        {
            case SimdWidth.Vector512:
                SparseLossGradient.Run<T, Vector512<double>, Simd512>(block, offsets, labels, weights, p.ClassWeight0, p.ClassWeight1, p.Weights, p.Bias, gradient, out loss, out residual, rowResiduals);
                break;
            case SimdWidth.Vector256:
                SparseLossGradient.Run<T, Vector256<double>, Simd256>(block, offsets, labels, weights, p.ClassWeight0, p.ClassWeight1, p.Weights, p.Bias, gradient, out loss, out residual, rowResiduals);
                break;
            case SimdWidth.Vector128:
                SparseLossGradient.Run<T, Vector128<double>, Simd128>(block, offsets, labels, weights, p.ClassWeight0, p.ClassWeight1, p.Weights, p.Bias, gradient, out loss, out residual, rowResiduals);
                break;
            default:
                SparseLossGradient.Run<T, double, SimdScalar>(block, offsets, labels, weights, p.ClassWeight0, p.ClassWeight1, p.Weights, p.Bias, gradient, out loss, out residual, rowResiduals);
                break;
        }
    }
}
