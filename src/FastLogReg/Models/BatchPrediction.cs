using FastLogReg.Internal;
using System.Diagnostics.CodeAnalysis;
using System.Numerics.Tensors;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FastLogReg.Data;
using FastLogReg.Kernels;
using FastLogReg.Numerics;
using FastLogReg.Parallelism;
using FastLogReg.Training;

namespace FastLogReg.Models;

/// <summary>
/// zᵢ = wᵀxᵢ + b for batches: the training kernel's register-blocked dot products, parallel for large batches on the
/// training kernel's chunk runner (the caller works too and helpers claim contiguous ranges, so a short batch does not
/// wait for a pool thread that is slow to wake).
/// </summary>
internal static class BatchPrediction
{
    /// <summary>Below this many feature values a batch runs on one thread.</summary>
    private const int ParallelThreshold = 1 << 18;

    /// <summary>Rows per parallel work item.</summary>
    private const int RowsPerTask = 2048;

    public static int RowCount<T>(LogisticModel model, ReadOnlySpan<T> features, int destinationLength, string destinationName)
    {
        ThrowHelper.ThrowIfUnsupportedElementType<T>();
        int d = model.FeatureCount;
        if (features.Length % d != 0)
        {
            ThrowHelper.ThrowBatchShapeMismatch(features.Length, d, nameof(features));
        }

        int rows = features.Length / d;
        if (destinationLength < rows)
        {
            ThrowHelper.ThrowDestinationTooShort(rows, destinationLength, destinationName);
        }

        return rows;
    }

    public static unsafe int DecisionValues<T>(LogisticModel model, ReadOnlySpan<T> features, Span<double> destination, int? maxDegreeOfParallelism)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Require.DegreeOfParallelism(maxDegreeOfParallelism, nameof(maxDegreeOfParallelism));
        int rows = RowCount(model, features, destination.Length, nameof(destination));
        int d = model.FeatureCount;
        int threads = Math.Min(maxDegreeOfParallelism ?? Environment.ProcessorCount, (rows + RowsPerTask - 1) / RowsPerTask);
        if (threads <= 1 || (long)rows * d < ParallelThreshold)
        {
            Compute(model, ref MemoryMarshal.GetReference(features), ref MemoryMarshal.GetReference(destination), 0, rows);
        }
        else
        {
            fixed (T* x = features)
            fixed (double* z = destination)
            {
                nint xp = (nint)x, zp = (nint)z;
                int tasks = (rows + RowsPerTask - 1) / RowsPerTask;
                var runner = new ChunkRunner(tasks, threads, t =>
                {
                    int start = t * RowsPerTask;
                    Compute(model, ref Unsafe.AsRef<T>((T*)xp), ref Unsafe.AsRef<double>((double*)zp), start, Math.Min(RowsPerTask, rows - start));
                });
                runner.Run();
            }
        }

        // Non-finite inputs (or an overflow) show up as non-finite decision values: one check on the outputs
        // instead of a second pass over the inputs.
        Span<double> z0 = destination[..rows];
        if (!TensorPrimitives.IsFiniteAll<double>(z0))
        {
            int i = 0;
            while (double.IsFinite(z0[i]))
            {
                i++;
            }

            ThrowNonFiniteRow(features.Slice(i * d, d), d, i, nameof(features));
        }

        return rows;
    }

    /// <summary>x·w for one row (no bias). Compiled fully optimized on first use, like the training kernel: in tier 0
    /// the generic SIMD code runs an order of magnitude slower.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Dot<T>(LogisticModel model, ReadOnlySpan<T> x)
        where T : unmanaged
    {
        ref T x0 = ref MemoryMarshal.GetReference(x);
        ref double w = ref MemoryMarshal.GetReference(model.Weights);
        int d = model.FeatureCount;
        return model.Width switch
        {
            SimdWidth.Vector512 => RowDots.Dot1<T, Vector512<double>, Simd512>(ref x0, ref w, d, Simd512.LastLanesMask(d % 8)),
            SimdWidth.Vector256 => RowDots.Dot1<T, Vector256<double>, Simd256>(ref x0, ref w, d, Simd256.LastLanesMask(d % 4)),
            SimdWidth.Vector128 => RowDots.Dot1<T, Vector128<double>, Simd128>(ref x0, ref w, d, Simd128.LastLanesMask(d % 2)),
            _ => RowDots.Dot1<T, double, SimdScalar>(ref x0, ref w, d, 0.0),
        };
    }

    [DoesNotReturn]
    public static void ThrowNonFiniteRow<T>(ReadOnlySpan<T> row, int columns, int rowIndex, string paramName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int j = 0; j < columns; j++)
        {
            if (!T.IsFinite(row[j]))
            {
                throw new DataValueException(rowIndex, j, double.CreateTruncating(row[j]), "is not finite: values must be finite (no NaN or ±∞).", paramName);
            }
        }

        throw new DataValueException(rowIndex, null, double.NaN, "the decision value overflowed: the row's features are too large for the model's weights.", paramName);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Compute<T>(LogisticModel model, ref T features, ref double destination, int start, int count)
        where T : unmanaged
    {
        int d = model.FeatureCount;
        ref T x = ref Unsafe.Add(ref features, (nint)start * d);
        ref double z = ref Unsafe.Add(ref destination, start);
        ref double w = ref MemoryMarshal.GetReference(model.Weights);
        double b = model.Bias;
        switch (model.Width)
        {
            case SimdWidth.Vector512:
                RowDots.Compute<T, Vector512<double>, Simd512>(ref x, d, count, ref w, b, Simd512.LastLanesMask(d % 8), ref z);
                break;
            case SimdWidth.Vector256:
                RowDots.Compute<T, Vector256<double>, Simd256>(ref x, d, count, ref w, b, Simd256.LastLanesMask(d % 4), ref z);
                break;
            case SimdWidth.Vector128:
                RowDots.Compute<T, Vector128<double>, Simd128>(ref x, d, count, ref w, b, Simd128.LastLanesMask(d % 2), ref z);
                break;
            default:
                RowDots.Compute<T, double, SimdScalar>(ref x, d, count, ref w, b, 0.0, ref z);
                break;
        }
    }
}
