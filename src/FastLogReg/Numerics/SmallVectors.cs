using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace FastLogReg.Numerics;

/// <summary>
/// The vector operations of the solvers and the objective's bookkeeping, on vectors of the model's size: short ones
/// (at most <see cref="ShortLength"/> values) in plain loops, longer ones by <see cref="TensorPrimitives"/>.
/// </summary>
/// <remarks>
/// Why: each TensorPrimitives operation is a large generic method compiled on its first call — 60 of them, 36 ms of the
/// 83 ms the JIT spent in a first L-BFGS fit of 569 × 30 in a fresh process (measured with the runtime's JIT events) —
/// while on 31 values a plain loop takes nanoseconds and compiles in a fraction of a millisecond. Results on short
/// vectors are those of the loops (sums in index order), on long ones TensorPrimitives'; either way the same for any
/// thread count.
/// </remarks>
internal static class SmallVectors
{
    /// <summary>Vectors up to this length take the plain loops.</summary>
    public const int ShortLength = 64;

    public static void Add(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> destination)
    {
        if (x.Length > ShortLength)
        {
            TensorPrimitives.Add(x, y, destination);
            return;
        }

        Check(x.Length, y.Length, destination.Length);
        for (int i = 0; i < x.Length; i++)
        {
            destination[i] = x[i] + y[i];
        }
    }

    public static void Subtract(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> destination)
    {
        if (x.Length > ShortLength)
        {
            TensorPrimitives.Subtract(x, y, destination);
            return;
        }

        Check(x.Length, y.Length, destination.Length);
        for (int i = 0; i < x.Length; i++)
        {
            destination[i] = x[i] - y[i];
        }
    }

    public static void Multiply(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> destination)
    {
        if (x.Length > ShortLength)
        {
            TensorPrimitives.Multiply(x, y, destination);
            return;
        }

        Check(x.Length, y.Length, destination.Length);
        for (int i = 0; i < x.Length; i++)
        {
            destination[i] = x[i] * y[i];
        }
    }

    public static void Multiply(ReadOnlySpan<double> x, double y, Span<double> destination)
    {
        if (x.Length > ShortLength)
        {
            TensorPrimitives.Multiply(x, y, destination);
            return;
        }

        Check(x.Length, x.Length, destination.Length);
        for (int i = 0; i < x.Length; i++)
        {
            destination[i] = x[i] * y;
        }
    }

    public static void Divide(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> destination)
    {
        if (x.Length > ShortLength)
        {
            TensorPrimitives.Divide(x, y, destination);
            return;
        }

        Check(x.Length, y.Length, destination.Length);
        for (int i = 0; i < x.Length; i++)
        {
            destination[i] = x[i] / y[i];
        }
    }

    public static void Negate(ReadOnlySpan<double> x, Span<double> destination)
    {
        if (x.Length > ShortLength)
        {
            TensorPrimitives.Negate(x, destination);
            return;
        }

        Check(x.Length, x.Length, destination.Length);
        for (int i = 0; i < x.Length; i++)
        {
            destination[i] = -x[i];
        }
    }

    /// <summary>destination = x·y + addend, element by element (two roundings on short vectors).</summary>
    public static void MultiplyAdd(ReadOnlySpan<double> x, double y, ReadOnlySpan<double> addend, Span<double> destination)
    {
        if (x.Length > ShortLength)
        {
            TensorPrimitives.MultiplyAdd(x, y, addend, destination);
            return;
        }

        Check(x.Length, addend.Length, destination.Length);
        for (int i = 0; i < x.Length; i++)
        {
            destination[i] = (x[i] * y) + addend[i];
        }
    }

    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length > ShortLength)
        {
            return TensorPrimitives.Dot(x, y);
        }

        Check(x.Length, y.Length, x.Length);
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            sum += x[i] * y[i];
        }

        return sum;
    }

    public static double Sum(ReadOnlySpan<double> x)
    {
        if (x.Length > ShortLength)
        {
            return TensorPrimitives.Sum(x);
        }

        double sum = 0;
        foreach (double v in x)
        {
            sum += v;
        }

        return sum;
    }

    public static double SumOfSquares(ReadOnlySpan<double> x) => x.Length > ShortLength ? TensorPrimitives.SumOfSquares(x) : Dot(x, x);

    public static double SumOfMagnitudes(ReadOnlySpan<double> x)
    {
        if (x.Length > ShortLength)
        {
            return TensorPrimitives.SumOfMagnitudes(x);
        }

        double sum = 0;
        foreach (double v in x)
        {
            sum += Math.Abs(v);
        }

        return sum;
    }

    public static double Norm(ReadOnlySpan<double> x) => x.Length > ShortLength ? TensorPrimitives.Norm(x) : Math.Sqrt(Dot(x, x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Check(int x, int y, int destination)
    {
        if (y != x || destination < x)
        {
            throw new ArgumentException("Input spans must have the same length, and the destination must be at least as long.");
        }
    }
}
