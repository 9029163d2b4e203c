using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FastLogReg.Data;
using FastLogReg.Numerics;
using FastLogReg.Parallelism;

namespace FastLogReg.Kernels;

/// <summary>Dense row-major rows: the fused kernel of <see cref="FusedLossGradient"/> and the register-blocked <see cref="RowDots"/>.</summary>
internal sealed class DenseLayout<T> : FeatureLayout<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly DenseDataset<T> _data;
    private readonly int _blockRows;
    private readonly bool _prefetch;
    private T[]? _batchFeatures; // mini-batch gather buffers, created on first use
    private T[]? _batchLabels;
    private T[]? _batchWeights;

    public DenseLayout(DenseDataset<T> data, SimdWidth? widthCap)
        : this(data, widthCap, RowPartition.For(data.Rows, data.Columns, System.Runtime.CompilerServices.Unsafe.SizeOf<T>()))
    {
    }

    /// <summary>A layout whose chunks are given (a shard's rows, cut on the whole data set's chunk boundaries).</summary>
    public DenseLayout(DenseDataset<T> data, SimdWidth? widthCap, RowPartition partition)
        : base(data, SimdWidthSelector.For(data.Columns, widthCap), partition)
    {
        _data = data;
        int elementSize = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        _blockRows = FusedLossGradient.BlockRows(data.Columns, elementSize);
        _prefetch = FusedLossGradient.ShouldPrefetch(data.StoredValues * elementSize);
    }

    public override void Binomial(int start, int count, scoped in BinomialPoint point, Span<double> gradient, out double loss, out double residual)
    {
        ReadOnlySpan<T> weights = _data.HasSampleWeights ? _data.SampleWeights.Span.Slice(start, count) : default;
        Run(_data.RowSpan(start, count), _data.Labels.Span.Slice(start, count), weights, point, gradient, out loss, out residual);
    }

    public override void BinomialSamples(ReadOnlySpan<int> samples, scoped in BinomialPoint point, Span<double> gradient, out double loss, out double residual)
    {
        int d = Columns;
        int count = samples.Length;
        if (_batchFeatures is null || _batchLabels!.Length < count)
        {
            _batchFeatures = new T[checked(count * d)];
            _batchLabels = new T[count];
            _batchWeights = _data.HasSampleWeights ? new T[count] : null;
        }

        ReadOnlySpan<T> y = _data.Labels.Span;
        ReadOnlySpan<T> s = _data.SampleWeights.Span;
        for (int k = 0; k < count; k++)
        {
            int i = samples[k];
            _data.GetRow(i).CopyTo(_batchFeatures.AsSpan(k * d, d));
            _batchLabels[k] = y[i];
            if (_batchWeights is not null)
            {
                _batchWeights[k] = s[i];
            }
        }

        Run(_batchFeatures.AsSpan(0, count * d), _batchLabels.AsSpan(0, count), _batchWeights is null ? default : _batchWeights.AsSpan(0, count), point, gradient, out loss, out residual);
    }

    public override void Margins(int start, int count, ReadOnlySpan<double> w, double b, Span<double> z) =>
        DenseMargins(_data.RowSpan(start, count), Columns, w, b, z);

    /// <summary>zₖ = xₖᵀw + b for the rows of <paramref name="rows"/> (row-major, <paramref name="columns"/> wide), at the widest width for the row length.</summary>
    public static void DenseMargins(ReadOnlySpan<T> rows, int columns, ReadOnlySpan<double> w, double b, Span<double> z)
    {
        int count = rows.Length / columns;
        ref T x = ref MemoryMarshal.GetReference(rows);
        ref double w0 = ref MemoryMarshal.GetReference(w);
        ref double z0 = ref MemoryMarshal.GetReference(z);
        switch (SimdWidthSelector.For(columns))
        {
            case SimdWidth.Vector512:
                RowDots.Compute<T, Vector512<double>, Simd512>(ref x, columns, count, ref w0, b, Simd512.LastLanesMask(columns % 8), ref z0);
                break;
            case SimdWidth.Vector256:
                RowDots.Compute<T, Vector256<double>, Simd256>(ref x, columns, count, ref w0, b, Simd256.LastLanesMask(columns % 4), ref z0);
                break;
            case SimdWidth.Vector128:
                RowDots.Compute<T, Vector128<double>, Simd128>(ref x, columns, count, ref w0, b, Simd128.LastLanesMask(columns % 2), ref z0);
                break;
            default:
                RowDots.Compute<T, double, SimdScalar>(ref x, columns, count, ref w0, b, 0.0, ref z0);
                break;
        }
    }

    public override double HessianVector(int start, int count, ReadOnlySpan<double> u, double ub, ReadOnlySpan<double> curvature, Span<double> product)
    {
        ReadOnlySpan<T> rows = _data.RowSpan(start, count);
        return Width switch
        {
            SimdWidth.Vector512 => HessianVectorProduct.Run<T, Vector512<double>, Simd512>(rows, Columns, _blockRows, u, ub, curvature, product),
            SimdWidth.Vector256 => HessianVectorProduct.Run<T, Vector256<double>, Simd256>(rows, Columns, _blockRows, u, ub, curvature, product),
            SimdWidth.Vector128 => HessianVectorProduct.Run<T, Vector128<double>, Simd128>(rows, Columns, _blockRows, u, ub, curvature, product),
            _ => HessianVectorProduct.Run<T, double, SimdScalar>(rows, Columns, _blockRows, u, ub, curvature, product),
        };
    }

    public override void DenseRow(int row, Span<double> destination)
    {
        System.Numerics.Tensors.TensorPrimitives.ConvertTruncating<T, double>(_data.GetRow(row), destination[..Columns]);
    }

    public override void WeightedMoments(int start, int count, ReadOnlySpan<double> c, Span<double> sumCx, Span<double> sumCx2)
    {
        ReadOnlySpan<T> rows = _data.RowSpan(start, count);
        switch (Width)
        {
            case SimdWidth.Vector512:
                Kernels.WeightedMoments.Run<T, Vector512<double>, Simd512>(rows, Columns, c, sumCx, sumCx2);
                break;
            case SimdWidth.Vector256:
                Kernels.WeightedMoments.Run<T, Vector256<double>, Simd256>(rows, Columns, c, sumCx, sumCx2);
                break;
            case SimdWidth.Vector128:
                Kernels.WeightedMoments.Run<T, Vector128<double>, Simd128>(rows, Columns, c, sumCx, sumCx2);
                break;
            default:
                Kernels.WeightedMoments.Run<T, double, SimdScalar>(rows, Columns, c, sumCx, sumCx2);
                break;
        }
    }

    public override double[] MomentShift()
    {
        double[] shift = new double[Columns];
        ReadOnlySpan<T> first = _data.GetRow(0);
        for (int j = 0; j < shift.Length; j++)
        {
            shift[j] = double.CreateTruncating(first[j]);
        }

        return shift;
    }

    public override void Moments(int start, int count, ReadOnlySpan<double> shift, double[]? unit, Span<double> sum, Span<double> squares, Span<double> largest = default) =>
        ColumnMoments.Accumulate(_data.RowSpan(start, count), Columns, _data.HasSampleWeights ? _data.SampleWeights.Span.Slice(start, count) : default, shift, unit, sum, squares, largest);

    public override void LargestDeviations(ReadOnlySpan<double> shift, Span<double> largest)
    {
        // Blocks of rows: one span of a whole large data set could exceed 2³¹ values.
        const int Block = 4096;
        for (int start = 0; start < _data.Rows; start += Block)
        {
            ColumnMoments.LargestDeviations(_data.RowSpan(start, Math.Min(Block, _data.Rows - start)), Columns, shift, largest);
        }
    }

    public override double WeightedSquaredNorms(int start, int count, ReadOnlySpan<double> means, ReadOnlySpan<double> scales, double unit, double intercept, ReadOnlySpan<double> classWeights)
    {
        double total = 0;
        for (int i = start; i < start + count; i++)
        {
            double rowSquares = intercept;
            ReadOnlySpan<T> row = _data.GetRow(i);
            for (int j = 0; j < row.Length; j++)
            {
                double v = double.CreateTruncating(row[j]);
                if (!means.IsEmpty)
                {
                    v = (v - means[j]) / scales[j];
                }

                v /= unit;
                rowSquares += v * v;
            }

            total += RowWeight(i, classWeights) * rowSquares;
        }

        return total;
    }

    public override bool FeatureMajorClasses => false;

    public override bool SupportsFloatProducts => typeof(T) == typeof(float) && Width switch
    {
        SimdWidth.Vector512 => SoftmaxFloatProducts.Supports(Columns, Vector512<float>.Count),
        SimdWidth.Vector256 => SoftmaxFloatProducts.Supports(Columns, Vector256<float>.Count),
        _ => false,
    };

    public override double Softmax(int start, int count, ReadOnlySpan<double> w, ReadOnlySpan<double> b, ReadOnlySpan<double> classWeights, bool oneVsRest, Span<double> gradient, Span<double> residualSums, bool floatProducts = false)
    {
        ReadOnlySpan<T> x = _data.RowSpan(start, count);
        ReadOnlySpan<T> y = _data.Labels.Span.Slice(start, count);
        ReadOnlySpan<T> s = _data.HasSampleWeights ? _data.SampleWeights.Span.Slice(start, count) : default;
        int d = Columns;
        if (floatProducts && SupportsFloatProducts)
        {
            ReadOnlySpan<float> xf = MemoryMarshal.Cast<T, float>(x), yf = MemoryMarshal.Cast<T, float>(y), sf = MemoryMarshal.Cast<T, float>(s);
            return Width == SimdWidth.Vector512
                ? SoftmaxFloatProducts.Run<Vector512<float>, Vector512<double>, Single512, Simd512>(xf, yf, sf, classWeights, d, w, b, oneVsRest, gradient, residualSums)
                : SoftmaxFloatProducts.Run<Vector256<float>, Vector256<double>, Single256, Simd256>(xf, yf, sf, classWeights, d, w, b, oneVsRest, gradient, residualSums);
        }

        return Width switch
        {
            SimdWidth.Vector512 => SoftmaxLossGradient.Run<T, Vector512<double>, Simd512>(x, y, s, classWeights, d, w, b, oneVsRest, gradient, residualSums),
            SimdWidth.Vector256 => SoftmaxLossGradient.Run<T, Vector256<double>, Simd256>(x, y, s, classWeights, d, w, b, oneVsRest, gradient, residualSums),
            SimdWidth.Vector128 => SoftmaxLossGradient.Run<T, Vector128<double>, Simd128>(x, y, s, classWeights, d, w, b, oneVsRest, gradient, residualSums),
            _ => SoftmaxLossGradient.Run<T, double, SimdScalar>(x, y, s, classWeights, d, w, b, oneVsRest, gradient, residualSums),
        };
    }

    public override void SoftmaxCurvature(int start, int count, ReadOnlySpan<double> w, ReadOnlySpan<double> b, ReadOnlySpan<double> classWeights, bool oneVsRest, Span<double> probabilities, int stride, Span<double> sums)
    {
        ReadOnlySpan<T> x = _data.RowSpan(start, count);
        ReadOnlySpan<T> y = _data.Labels.Span.Slice(start, count);
        ReadOnlySpan<T> s = _data.HasSampleWeights ? _data.SampleWeights.Span.Slice(start, count) : default;
        Span<double> p = probabilities[start..];
        int d = Columns;
        switch (Width)
        {
            case SimdWidth.Vector512:
                SoftmaxCurvatureSums.Run<T, Vector512<double>, Simd512>(x, y, s, classWeights, d, w, b, oneVsRest, p, stride, sums);
                break;
            case SimdWidth.Vector256:
                SoftmaxCurvatureSums.Run<T, Vector256<double>, Simd256>(x, y, s, classWeights, d, w, b, oneVsRest, p, stride, sums);
                break;
            case SimdWidth.Vector128:
                SoftmaxCurvatureSums.Run<T, Vector128<double>, Simd128>(x, y, s, classWeights, d, w, b, oneVsRest, p, stride, sums);
                break;
            default:
                SoftmaxCurvatureSums.Run<T, double, SimdScalar>(x, y, s, classWeights, d, w, b, oneVsRest, p, stride, sums);
                break;
        }
    }

    public override void SoftmaxHessianVector(int start, int count, ReadOnlySpan<double> v, ReadOnlySpan<double> vb, ReadOnlySpan<double> probabilities, int probabilityStride, ReadOnlySpan<double> classWeights, bool oneVsRest, Span<double> product, Span<double> productSums)
    {
        ReadOnlySpan<T> x = _data.RowSpan(start, count);
        ReadOnlySpan<T> y = _data.Labels.Span.Slice(start, count);
        ReadOnlySpan<T> s = _data.HasSampleWeights ? _data.SampleWeights.Span.Slice(start, count) : default;
        int d = Columns;
        _ = Width switch
        {
            SimdWidth.Vector512 => SoftmaxLossGradient.Run<T, Vector512<double>, Simd512>(x, y, s, classWeights, d, v, vb, oneVsRest, product, productSums, probabilities, probabilityStride),
            SimdWidth.Vector256 => SoftmaxLossGradient.Run<T, Vector256<double>, Simd256>(x, y, s, classWeights, d, v, vb, oneVsRest, product, productSums, probabilities, probabilityStride),
            SimdWidth.Vector128 => SoftmaxLossGradient.Run<T, Vector128<double>, Simd128>(x, y, s, classWeights, d, v, vb, oneVsRest, product, productSums, probabilities, probabilityStride),
            _ => SoftmaxLossGradient.Run<T, double, SimdScalar>(x, y, s, classWeights, d, v, vb, oneVsRest, product, productSums, probabilities, probabilityStride),
        };
    }

    private void Run(ReadOnlySpan<T> features, ReadOnlySpan<T> labels, ReadOnlySpan<T> weights, scoped in BinomialPoint p, Span<double> gradient, out double loss, out double residual)
    {
        int d = Columns;
        switch (Width)
        {
            case SimdWidth.Vector512:
                FusedLossGradient.Run<T, Vector512<double>, Simd512>(features, labels, weights, p.ClassWeight0, p.ClassWeight1, d, _blockRows, _prefetch, p.Weights, p.Bias, gradient, out loss, out residual);
                break;
            case SimdWidth.Vector256:
                FusedLossGradient.Run<T, Vector256<double>, Simd256>(features, labels, weights, p.ClassWeight0, p.ClassWeight1, d, _blockRows, _prefetch, p.Weights, p.Bias, gradient, out loss, out residual);
                break;
            case SimdWidth.Vector128:
                FusedLossGradient.Run<T, Vector128<double>, Simd128>(features, labels, weights, p.ClassWeight0, p.ClassWeight1, d, _blockRows, _prefetch, p.Weights, p.Bias, gradient, out loss, out residual);
                break;
            default:
                FusedLossGradient.Run<T, double, SimdScalar>(features, labels, weights, p.ClassWeight0, p.ClassWeight1, d, _blockRows, _prefetch, p.Weights, p.Bias, gradient, out loss, out residual);
                break;
        }
    }
}
