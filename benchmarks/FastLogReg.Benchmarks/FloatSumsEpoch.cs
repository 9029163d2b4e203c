using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Runtime.Intrinsics;
using FastLogReg.Data;
using FastLogReg.Internal;
using FastLogReg.Kernels;
using FastLogReg.Numerics;
using FastLogReg.Parallelism;

namespace FastLogReg.Benchmarks;

/// <summary>
/// A probe, not a product: the fused epoch on float data with <b>float</b> partial sums, to measure what giving up
/// FastLogReg's double sums would buy. Same structure as the library's kernel — the same row partition and chunk
/// runner, the same 16 KiB blocks, 8-row register blocking, σ and the loss across the block in double
/// (<see cref="LogisticResiduals"/>) — but the dot products are float multiply-adds on 16 lanes with w rounded to
/// float (no widening), and the gradient is summed in float over one block of rows (a 16-lane float register per 16
/// columns), then added to a double gradient once per block. Needs AVX-512.
/// </summary>
/// <remarks>
/// The library keeps every sum in double for float data; this class exists only so that the benchmark can show, in one
/// run, whether the widening to double is what the epoch's time is made of (<see cref="FloatSumsBenchmarks"/>).
/// </remarks>
public sealed class FloatSumsEpoch
{
    private const int Lanes = 16;

    private readonly DenseDataset<float> _data;
    private readonly RowPartition _partition;
    private readonly ChunkRunner _runner;
    private readonly int _blockRows;
    private readonly int _gradientStride;
    private readonly float[] _w;
    private readonly CacheLineAligned _partialGradients;
    private readonly double[] _partialLoss;
    private readonly double[] _partialResidual;
    private readonly Vector512<float> _tailMask;
    private double _b;

    public FloatSumsEpoch(DenseDataset<float> data, int threads)
    {
        if (!Avx512F.IsSupported)
        {
            throw new PlatformNotSupportedException("The float-sums probe is written for AVX-512 only.");
        }

        if (data.Columns < Lanes || data.HasSampleWeights)
        {
            throw new ArgumentException("The float-sums probe needs at least 16 columns and no sample weights.", nameof(data));
        }

        _data = data;
        int columns = data.Columns;
        _partition = RowPartition.For(data.Rows, columns, sizeof(float));
        _blockRows = FusedLossGradient.BlockRows(columns, sizeof(float));
        _gradientStride = ((columns + 7) & ~7) + 8;
        _partialGradients = new CacheLineAligned(_partition.ChunkCount * _gradientStride);
        _partialLoss = new double[_partition.ChunkCount];
        _partialResidual = new double[_partition.ChunkCount];
        _w = GC.AllocateArray<float>(columns + Lanes, pinned: true);
        int remainder = columns % Lanes;

        // The overlapping last register starts at columns − 16: its lanes below 16 − remainder were counted already.
        _tailMask = Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(remainder == 0 ? Lanes : Lanes - remainder)).AsSingle();
        _runner = new ChunkRunner(_partition.ChunkCount, threads, ProcessChunk);
    }

    /// <summary>Mean loss at (w, b) = point; writes the mean gradient (w part, then b) into <paramref name="gradient"/>.</summary>
    public double Evaluate(ReadOnlySpan<double> point, Span<double> gradient)
    {
        int columns = _data.Columns;
        TensorPrimitives.ConvertTruncating(point[..columns], _w.AsSpan(0, columns));
        _b = point[columns];
        _runner.Run();

        // Reduce in chunk order, as the library does.
        Span<double> gw = gradient[..columns];
        gw.Clear();
        double loss = 0, residual = 0;
        for (int c = 0; c < _partition.ChunkCount; c++)
        {
            TensorPrimitives.Add(gw, _partialGradients.Slice(c * _gradientStride, columns), gw);
            loss += _partialLoss[c];
            residual += _partialResidual[c];
        }

        double n = _data.Rows;
        TensorPrimitives.Divide(gw, n, gw);
        gradient[columns] = residual / n;
        return loss / n;
    }

    private void ProcessChunk(int chunk)
    {
        int d = _data.Columns;
        (int start, int count) = _partition[chunk];
        Run(
            _data.Features.Span.Slice(start * d, count * d),
            _data.Labels.Span.Slice(start, count),
            _partialGradients.Slice(chunk * _gradientStride, d),
            out _partialLoss[chunk],
            out _partialResidual[chunk]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Run(ReadOnlySpan<float> features, ReadOnlySpan<float> labels, Span<double> gradient, out double loss, out double residualSum)
    {
        int columns = _data.Columns;
        int full = columns / Lanes * Lanes;
        int last = columns - Lanes;
        bool hasTail = full != columns;
        Span<double> z = CacheLineAligned.Within(stackalloc double[FusedLossGradient.MaxBlockRows + 7], FusedLossGradient.MaxBlockRows);
        Span<double> y = CacheLineAligned.Within(stackalloc double[FusedLossGradient.MaxBlockRows + 7], FusedLossGradient.MaxBlockRows);
        Span<float> blockGradient = stackalloc float[full + 2 * Lanes];
        gradient.Clear();

        Vector512<double> lossSum = Vector512<double>.Zero;
        Vector512<double> rSum = Vector512<double>.Zero;
        ref float x = ref MemoryMarshal.GetReference(features);
        ref float w = ref MemoryMarshal.GetArrayDataReference(_w);
        ref float gb = ref MemoryMarshal.GetReference(blockGradient);
        ref double z0 = ref MemoryMarshal.GetReference(z);
        ref double y0 = ref MemoryMarshal.GetReference(y);
        ref double g = ref MemoryMarshal.GetReference(gradient);
        Vector512<float> tailW = hasTail ? Vector512.LoadUnsafe(ref w, (nuint)last) & _tailMask : default;
        int rows = labels.Length;

        for (int start = 0; start < rows; start += _blockRows)
        {
            int count = Math.Min(_blockRows, rows - start);
            ref float block = ref Unsafe.Add(ref x, (nint)start * columns);

            // Dot products, 8 rows at a time, in float.
            int k = 0;
            for (; k + 8 <= count; k += 8)
            {
                Dots8(ref Unsafe.Add(ref block, (nint)k * columns), columns, ref w, full, last, hasTail, tailW, _b, ref Unsafe.Add(ref z0, k));
            }

            for (; k < count; k++)
            {
                ref float r = ref Unsafe.Add(ref block, (nint)k * columns);
                Vector512<float> a = default;
                for (int j = 0; j < full; j += Lanes)
                {
                    a = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r, (nuint)j), Vector512.LoadUnsafe(ref w, (nuint)j), a);
                }

                if (hasTail)
                {
                    a = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r, (nuint)last), tailW, a);
                }

                z[k] = Simd512.Sum(Widen(a)) + _b;
            }

            // σ and the loss across the block, in double, exactly as the library computes them.
            int padded = (count + 7) / 8 * 8;
            ref float labelsStart = ref Unsafe.Add(ref MemoryMarshal.GetReference(labels), start);
            int i = 0;
            for (; i + 8 <= count; i += 8)
            {
                Avx512F.ConvertToVector512Double(Vector256.LoadUnsafe(ref labelsStart, (nuint)i)).StoreUnsafe(ref y0, (nuint)i);
            }

            for (; i < count; i++)
            {
                Unsafe.Add(ref y0, i) = Unsafe.Add(ref labelsStart, i);
            }

            if (padded != count)
            {
                y[count..padded].Fill(1.0);
                z[count..padded].Fill(LogisticResiduals.PaddingMargin);
            }

            LogisticResiduals.Compute<Vector512<double>, Simd512>(ref z0, ref y0, ref y0, false, false, 1, 1, padded, ref lossSum, ref rSum);

            // Gradient over the block, in float; then once into the double gradient.
            for (int j = 0; j <= full; j += Lanes)
            {
                Vector512<float>.Zero.StoreUnsafe(ref gb, (nuint)j);
            }

            k = 0;
            for (; k + 8 <= count; k += 8)
            {
                Gradient8(ref Unsafe.Add(ref block, (nint)k * columns), columns, ref Unsafe.Add(ref z0, k), ref gb, full, last, hasTail, _tailMask);
            }

            for (; k < count; k++)
            {
                ref float r = ref Unsafe.Add(ref block, (nint)k * columns);
                Vector512<float> c = Vector512.Create((float)z[k]);
                for (int j = 0; j < full; j += Lanes)
                {
                    Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref r, (nuint)j), c, Vector512.LoadUnsafe(ref gb, (nuint)j)).StoreUnsafe(ref gb, (nuint)j);
                }

                if (hasTail)
                {
                    Vector512<float> s = (Vector512.LoadUnsafe(ref r, (nuint)last) * c) & _tailMask;
                    (Vector512.LoadUnsafe(ref gb, (nuint)full) + s).StoreUnsafe(ref gb, (nuint)full);
                }
            }

            for (int j = 0; j < full; j += 8)
            {
                (Vector512.LoadUnsafe(ref g, (nuint)j) + Avx512F.ConvertToVector512Double(Vector256.LoadUnsafe(ref gb, (nuint)j))).StoreUnsafe(ref g, (nuint)j);
            }

            // The tail register's lanes 16 − remainder … 15 are columns full … columns − 1.
            for (int j = full; j < columns; j++)
            {
                Unsafe.Add(ref g, j) += Unsafe.Add(ref gb, j + Lanes - (columns - full));
            }
        }

        loss = Vector512.Sum(lossSum);
        residualSum = Vector512.Sum(rSum);
    }

    /// <summary>z for 8 rows starting at <paramref name="x0"/>, in float, as the library's RowDots blocks them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dots8(ref float x0, nint stride, ref float w, int full, int last, bool hasTail, Vector512<float> tailW, double bias, ref double z)
    {
        ref float x1 = ref Unsafe.Add(ref x0, stride);
        ref float x2 = ref Unsafe.Add(ref x1, stride);
        ref float x3 = ref Unsafe.Add(ref x2, stride);
        ref float x4 = ref Unsafe.Add(ref x3, stride);
        ref float x5 = ref Unsafe.Add(ref x4, stride);
        ref float x6 = ref Unsafe.Add(ref x5, stride);
        ref float x7 = ref Unsafe.Add(ref x6, stride);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        int j = 0;
        for (; j < full; j += Lanes)
        {
            Vector512<float> wv = Vector512.LoadUnsafe(ref w, (nuint)j);
            a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x0, (nuint)j), wv, a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x1, (nuint)j), wv, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x2, (nuint)j), wv, a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x3, (nuint)j), wv, a3);
            a4 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x4, (nuint)j), wv, a4);
            a5 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x5, (nuint)j), wv, a5);
            a6 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x6, (nuint)j), wv, a6);
            a7 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x7, (nuint)j), wv, a7);
        }

        if (hasTail)
        {
            nuint t = (nuint)last;
            a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x0, t), tailW, a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x1, t), tailW, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x2, t), tailW, a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x3, t), tailW, a3);
            a4 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x4, t), tailW, a4);
            a5 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x5, t), tailW, a5);
            a6 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x6, t), tailW, a6);
            a7 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x7, t), tailW, a7);
        }

        Simd512.Sum8(Widen(a0), Widen(a1), Widen(a2), Widen(a3), Widen(a4), Widen(a5), Widen(a6), Widen(a7), bias, ref z);
    }

    /// <summary>Adds Σₖ rₖxₖ over 8 rows into the block's float gradient, as the library's GradientAccumulation blocks them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Gradient8(ref float x0, nint stride, ref double r, ref float gb, int full, int last, bool hasTail, Vector512<float> tailMask)
    {
        ref float x1 = ref Unsafe.Add(ref x0, stride);
        ref float x2 = ref Unsafe.Add(ref x1, stride);
        ref float x3 = ref Unsafe.Add(ref x2, stride);
        ref float x4 = ref Unsafe.Add(ref x3, stride);
        ref float x5 = ref Unsafe.Add(ref x4, stride);
        ref float x6 = ref Unsafe.Add(ref x5, stride);
        ref float x7 = ref Unsafe.Add(ref x6, stride);
        Vector512<float> c0 = Vector512.Create((float)r), c1 = Vector512.Create((float)Unsafe.Add(ref r, 1));
        Vector512<float> c2 = Vector512.Create((float)Unsafe.Add(ref r, 2)), c3 = Vector512.Create((float)Unsafe.Add(ref r, 3));
        Vector512<float> c4 = Vector512.Create((float)Unsafe.Add(ref r, 4)), c5 = Vector512.Create((float)Unsafe.Add(ref r, 5));
        Vector512<float> c6 = Vector512.Create((float)Unsafe.Add(ref r, 6)), c7 = Vector512.Create((float)Unsafe.Add(ref r, 7));
        for (int j = 0; j < full; j += Lanes)
        {
            nuint i = (nuint)j;
            Vector512<float> sum = Combine8(ref x0, ref x1, ref x2, ref x3, ref x4, ref x5, ref x6, ref x7, i, c0, c1, c2, c3, c4, c5, c6, c7);
            (Vector512.LoadUnsafe(ref gb, i) + sum).StoreUnsafe(ref gb, i);
        }

        if (hasTail)
        {
            Vector512<float> sum = Combine8(ref x0, ref x1, ref x2, ref x3, ref x4, ref x5, ref x6, ref x7, (nuint)last, c0, c1, c2, c3, c4, c5, c6, c7);
            (Vector512.LoadUnsafe(ref gb, (nuint)full) + (sum & tailMask)).StoreUnsafe(ref gb, (nuint)full);
        }
    }

    /// <summary>Σₖ cₖ·xₖ[i … i + 15] over the 8 rows, as two chains of four.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Combine8(
        ref float x0, ref float x1, ref float x2, ref float x3, ref float x4, ref float x5, ref float x6, ref float x7, nuint i,
        Vector512<float> c0, Vector512<float> c1, Vector512<float> c2, Vector512<float> c3,
        Vector512<float> c4, Vector512<float> c5, Vector512<float> c6, Vector512<float> c7)
    {
        Vector512<float> s = Vector512.LoadUnsafe(ref x0, i) * c0;
        Vector512<float> t = Vector512.LoadUnsafe(ref x4, i) * c4;
        s = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x1, i), c1, s);
        t = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x5, i), c5, t);
        s = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x2, i), c2, s);
        t = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x6, i), c6, t);
        s = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x3, i), c3, s);
        t = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x7, i), c7, t);
        return s + t;
    }

    /// <summary>16 float lanes to 8 double lanes: the two halves added in float, then widened (the sum is finished in double).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Widen(Vector512<float> a) => Avx512F.ConvertToVector512Double(a.GetLower() + a.GetUpper());
}
