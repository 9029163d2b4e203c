using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace FastLogReg.Data;

/// <summary>
/// Input checks: each is one vectorized pass over the array; only when it fails does a scalar scan find the first
/// offending element, so that the exception can name its row, column and value.
/// </summary>
internal static class DataValidation
{
    /// <summary>
    /// Sample weights are relative (the objective divides by their sum), so their scale is free; outside
    /// [2⁻⁵⁰⁰, 2⁵⁰⁰] for the largest one, products with losses and their sums would underflow or overflow.
    /// </summary>
    public const double WeightScaleLimit = 3.2733906078961419e150; // 2⁵⁰⁰

    /// <summary>
    /// Throws if any value is NaN or ±∞, naming its row and column (values are row-major, <paramref name="columns"/>
    /// wide); returns max |value| (0 for no values), from the same single pass.
    /// </summary>
    public static double ThrowIfAnyNonFinite<T>(ReadOnlySpan<T> values, int columns, string paramName, long firstIndex = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double largest = values.IsEmpty ? 0 : double.CreateTruncating(T.Abs(TensorPrimitives.MaxMagnitude(values)));
        if (double.IsFinite(largest))
        {
            return largest;
        }

        int found = IndexOfFirst(values, static v => !T.IsFinite(v));
        long index = firstIndex + found;
        throw new DataValueException((int)(index / columns), (int)(index % columns), double.CreateTruncating(values[found]), "is not finite: values must be finite (no NaN or ±∞).", paramName);
    }

    /// <summary>Checks the labels (0/1) and the optional weights of <paramref name="rows"/> rows; returns the total weight.</summary>
    public static double LabelsAndWeights<T>(ReadOnlyMemory<T> labels, ReadOnlyMemory<T> sampleWeights, int rows, int classCount = 2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (labels.Length != rows)
        {
            throw new ArgumentException($"labels has {labels.Length} values, but the features have {rows} rows.", nameof(labels));
        }

        if (classCount is < 2 or > MostClasses)
        {
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, $"The number of classes must be from 2 to {MostClasses}.");
        }

        if (classCount == 2)
        {
            ThrowIfAnyNonBinary(labels.Span, nameof(labels));
        }
        else
        {
            ThrowIfAnyNotAClass(labels.Span, classCount, nameof(labels));
        }
        if (sampleWeights.IsEmpty)
        {
            return rows;
        }

        if (sampleWeights.Length != rows)
        {
            throw new ArgumentException($"sampleWeights has {sampleWeights.Length} values, but there are {rows} rows (one per label).", nameof(sampleWeights));
        }

        return ValidateWeights(sampleWeights.Span, nameof(sampleWeights));
    }

    /// <summary>The most classes a data set may have.</summary>
    public const int MostClasses = 1000;

    /// <summary>Throws if any label is not a class id 0, 1, …, <paramref name="classCount"/> − 1, naming its row.</summary>
    public static void ThrowIfAnyNotAClass<T>(ReadOnlySpan<T> labels, int classCount, string paramName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T top = T.CreateTruncating(classCount - 1);
        for (int i = 0; i < labels.Length; i++)
        {
            T y = labels[i];
            if (!(y >= T.Zero && y <= top && T.IsInteger(y)))
            {
                throw new ArgumentException($"Label at row {i} is {y}: labels must be class ids 0, 1, …, {classCount - 1}.", paramName);
            }
        }
    }

    /// <summary>Throws if any label is not exactly 0 or 1, naming its row.</summary>
    public static void ThrowIfAnyNonBinary<T>(ReadOnlySpan<T> labels, string paramName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (AllBinary(labels))
        {
            return;
        }

        int index = IndexOfFirst(labels, static v => v != T.Zero && v != T.One);
        throw new ArgumentException($"Label at row {index} is {labels[index]}: labels must be 0 or 1.", paramName);
    }

    /// <summary>Checks that every weight is finite and ≥ 0 and that they are not all zero; returns their sum in double.</summary>
    public static double ValidateWeights<T>(ReadOnlySpan<T> weights, string paramName)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!TensorPrimitives.IsFiniteAll(weights) || TensorPrimitives.Min(weights) < T.Zero)
        {
            int index = IndexOfFirst(weights, static v => !T.IsFinite(v) || v < T.Zero);
            throw new ArgumentException($"Sample weight at row {index} is {weights[index]}: weights must be finite and ≥ 0.", paramName);
        }

        double total = SumAsDouble(weights);
        if (total <= 0)
        {
            throw new ArgumentException("Every sample weight is zero: at least one row needs a positive weight.", paramName);
        }

        double largest = double.CreateTruncating(TensorPrimitives.Max(weights));
        if (largest > WeightScaleLimit || largest < 1 / WeightScaleLimit)
        {
            int index = IndexOfFirst(weights, v => double.CreateTruncating(v) == largest);
            throw new ArgumentException(
                $"The largest sample weight is {largest:G6} (row {index}), outside [1e-150, 1e150] where the weighted sums stay exact: weights are relative, so multiply them all by one factor (divide by the largest, say) — the model is the same.",
                paramName);
        }

        return total;
    }

    /// <summary>Σ values, accumulated in double.</summary>
    public static double SumAsDouble<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(double))
        {
            return TensorPrimitives.Sum(MemoryMarshal.Cast<T, double>(values));
        }

        double sum = 0;
        foreach (T v in values)
        {
            sum += double.CreateTruncating(v);
        }

        return sum;
    }

    private static bool AllBinary<T>(ReadOnlySpan<T> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && labels.Length >= Vector<T>.Count)
        {
            ReadOnlySpan<Vector<T>> vectors = MemoryMarshal.Cast<T, Vector<T>>(labels);
            Vector<long> ok = Vector<long>.AllBitsSet;
            foreach (Vector<T> v in vectors)
            {
                ok &= (Vector.Equals(v, Vector<T>.Zero) | Vector.Equals(v, Vector<T>.One)).As<T, long>();
            }

            if (ok != Vector<long>.AllBitsSet)
            {
                return false;
            }

            i = vectors.Length * Vector<T>.Count;
        }

        for (; i < labels.Length; i++)
        {
            if (labels[i] != T.Zero && labels[i] != T.One)
            {
                return false;
            }
        }

        return true;
    }

    private static int IndexOfFirst<T>(ReadOnlySpan<T> values, Func<T, bool> isBad)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (isBad(values[i]))
            {
                return i;
            }
        }

        throw new InvalidOperationException("Unreachable: the vectorized check and the scalar scan disagree.");
    }

}
