using System.Diagnostics.CodeAnalysis;

namespace FastLogReg.Internal;

/// <summary>Throws kept out of line so that the methods that check stay small and inlinable.</summary>
internal static class ThrowHelper
{
    public static void ThrowIfUnsupportedElementType<T>()
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
        {
            ThrowUnsupportedElementType<T>();
        }
    }

    [DoesNotReturn]
    public static void ThrowUnsupportedElementType<T>() =>
        throw new NotSupportedException($"FastLogReg works on float or double features, not {typeof(T).Name}.");

    [DoesNotReturn]
    public static void ThrowRowOutOfRange(int row, int rows) =>
        throw new ArgumentOutOfRangeException(nameof(row), row, $"Row {row} is outside the {rows} rows of the data set.");

    [DoesNotReturn]
    public static void ThrowFeatureCountMismatch(int given, int expected, string paramName) =>
        throw new ArgumentException($"The row has {given} features but the model was trained on {expected}.", paramName);

    [DoesNotReturn]
    public static void ThrowBatchShapeMismatch(int given, int columns, string paramName) =>
        throw new ArgumentException(
            $"The batch has {given} values, which is not a whole number of rows of {columns} features (the model's feature count).",
            paramName);

    [DoesNotReturn]
    public static void ThrowDestinationTooShort(int rows, int length, string paramName) =>
        throw new ArgumentException($"The destination holds {length} values but the batch has {rows} rows.", paramName);
}
