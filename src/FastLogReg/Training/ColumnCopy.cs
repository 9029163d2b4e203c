using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using FastLogReg.Data;

namespace FastLogReg.Training;

/// <summary>
/// The data by column, for coordinate descent: dense rows become a column-major copy (n values per column), sparse rows
/// compressed sparse columns (the row and value of each non-zero). Raw values, widened to double once (so float data
/// takes twice its own size here); a standardization is applied by the caller's arithmetic, so sparse columns stay sparse.
/// A column whose largest |value| lies below 2⁻⁵⁰⁰ or above 2⁵⁰⁰ is stored divided by a power of two near it
/// (<see cref="Units"/>, exact): the solver's sums of squares (Σ Dᵢ xᵢⱼ², the Hessian snapshot) would underflow to 0 or
/// overflow, and the caller folds the unit into its centring and scaling instead.
/// A copy of up to <see cref="PooledValues"/> values is rented from the shared array pool and returned by
/// <see cref="Dispose"/>: a small fit spent half its time writing fresh memory (the page faults of a new large-object
/// array each call); larger copies are allocated, so a big fit leaves nothing held behind.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal sealed class ColumnCopy<T> : IDisposable
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Copies of up to this many values (8 MB) come from the shared pool.</summary>
    internal const int PooledValues = 1 << 20;

    /// <summary>Smaller arrays than this are allocated (cheap, and never handed to the pool).</summary>
    private const int SmallestPooled = 1024;

    private bool _disposed;

    /// <summary>Below and above these magnitudes (2⁻⁵⁰⁰, 2⁵⁰⁰: the raw-data limit) a column is stored in a unit of its own.</summary>
    private const double LargestPlain = Magnitudes.RawLimit, SmallestPlain = 1 / LargestPlain;

    private ColumnCopy(int rows, int columns, long[] start, int[]? rowIndex, double[] values)
    {
        Rows = rows;
        Columns = columns;
        Start = start;
        RowIndex = rowIndex;
        Values = values;
        Offsets = rowIndex is null ? CentreOffsetColumns() : null;
        Units = ScaleExtremeColumns();
    }

    public int Rows { get; }

    public int Columns { get; }

    /// <summary>Columns + 1 offsets into <see cref="Values"/>.</summary>
    public long[] Start { get; }

    /// <summary>The row of each value (sparse), or null: column j holds rows 0 … n − 1 in order (dense).</summary>
    public int[]? RowIndex { get; }

    /// <summary>The values, column after column (the array may be longer: a pooled one).</summary>
    public double[] Values { get; }

    /// <summary>
    /// Per column, the power of two its values were divided by (1 for a column of ordinary magnitude), or null when no
    /// column needed one: the data's value xᵢⱼ is <c>Values[…]·Units[j] + Offsets[j]</c>.
    /// </summary>
    public double[]? Units { get; }

    /// <summary>
    /// Per dense column, the value subtracted from it (0 for most columns), or null when none was: a column whose values
    /// all lie within 2⁻¹⁰ of their midpoint's magnitude (an offset column: 1 + 10⁻⁸·t, a timestamp) is stored as
    /// x − c, c its midpoint — exact (Sterbenz: every x within a factor of two of c) — so that the solver's expansions
    /// Σ Dᵢxᵢⱼ² − 2μΣ Dᵢxᵢⱼ + μ²Σ Dᵢ do not cancel away every digit (a review's finding: |μ|/σ ≈ 10⁸ stopped coordinate
    /// descent at a wrong point).
    /// </summary>
    public double[]? Offsets { get; }

    /// <summary>Returns pooled arrays; the copy must not be used afterwards.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Return(Values);
        if (RowIndex is not null)
        {
            Return(RowIndex);
        }
    }

    private static TValue[] Rent<TValue>(long length) =>
        length is >= SmallestPooled and <= PooledValues ? ArrayPool<TValue>.Shared.Rent((int)length) : new TValue[length];

    private static void Return<TValue>(TValue[] array)
    {
        if (array.Length is >= SmallestPooled and <= PooledValues)
        {
            ArrayPool<TValue>.Shared.Return(array);
        }
    }

    /// <summary>
    /// Subtracts from each dense offset column (<see cref="Offsets"/>) its midpoint; returns the offsets, or null when no
    /// column is one (the values untouched). One read of the copy (its minimum and maximum per column).
    /// </summary>
    private double[]? CentreOffsetColumns()
    {
        double[]? offsets = null;
        for (int j = 0; j < Columns; j++)
        {
            Span<double> column = Values.AsSpan(checked((int)Start[j]), Rows);
            if (column.IsEmpty)
            {
                continue;
            }

            double low = TensorPrimitives.Min<double>(column), high = TensorPrimitives.Max<double>(column);
            double middle = low + ((high - low) / 2);
            bool offset = high > low && (low > 0 || high < 0) && (high - low) <= OffsetSpread * Math.Abs(middle);
            if (!offset)
            {
                continue;
            }

            offsets ??= new double[Columns];
            offsets[j] = middle;
            foreach (ref double v in column)
            {
                v -= middle;
            }
        }

        return offsets;
    }

    /// <summary>A dense column spanning at most this share of its midpoint's magnitude (2⁻¹⁰) is stored centred.</summary>
    private const double OffsetSpread = 1.0 / 1024;

    /// <summary>
    /// Divides each column whose largest |value| (after any offset) is below <see cref="SmallestPlain"/> or above
    /// <see cref="LargestPlain"/> by 2^⌊log₂ largest⌋ (exact: a power of two); returns the units, or null when every
    /// column is ordinary (the values untouched). One read of the copy.
    /// </summary>
    private double[]? ScaleExtremeColumns()
    {
        double[]? units = null;
        for (int j = 0; j < Columns; j++)
        {
            Span<double> column = Values.AsSpan(checked((int)Start[j]), checked((int)(Start[j + 1] - Start[j])));
            double largest = column.IsEmpty ? 0 : Math.Abs(TensorPrimitives.MaxMagnitude<double>(column));
            if (largest == 0 || largest is >= SmallestPlain and <= LargestPlain)
            {
                continue;
            }

            if (units is null)
            {
                units = new double[Columns];
                Array.Fill(units, 1.0);
            }

            int exponent = Math.ILogB(largest);
            units[j] = Math.ScaleB(1.0, exponent);
            foreach (ref double v in column)
            {
                v = Math.ScaleB(v, -exponent);
            }
        }

        return units;
    }

    /// <summary>Dense column j (all n rows).</summary>
    public ReadOnlySpan<double> DenseColumn(int j) => Values.AsSpan(checked((int)Start[j]), Rows);

    /// <summary>Copies <paramref name="data"/> by column.</summary>
    /// <exception cref="ArgumentException">The copy would not fit one array (the message says what to do).</exception>
    public static ColumnCopy<T> From(Dataset<T> data)
    {
        int n = data.Rows, d = data.Columns;
        long[] start = new long[d + 1];
        switch (data)
        {
            case DenseDataset<T> dense:
            {
                long size = (long)n * d;
                if (size > Array.MaxLength)
                {
                    throw new ArgumentException($"The coordinate-descent solver copies the data by column; {n:N0} × {d:N0} values do not fit one array: use OwlQn for data this large.", nameof(data));
                }

                double[] values = Rent<double>(size);
                Transpose(dense, values);

                for (int j = 0; j <= d; j++)
                {
                    start[j] = (long)j * n;
                }

                return new ColumnCopy<T>(n, d, start, null, values);
            }

            case SparseDataset<T> sparse:
            {
                CsrMatrix<T> m = sparse.Matrix;
                if (m.NonZeros > Array.MaxLength)
                {
                    throw new ArgumentException($"The coordinate-descent solver copies the data by column; {m.NonZeros:N0} non-zeros do not fit one array: use OwlQn for data this large.", nameof(data));
                }

                long[] count = new long[d + 1];
                for (int i = 0; i < n; i++)
                {
                    foreach (int j in m.GetRow(i).Indices)
                    {
                        count[j + 1]++;
                    }
                }

                for (int j = 0; j < d; j++)
                {
                    start[j + 1] = start[j] + count[j + 1];
                }

                long[] next = start[..d];
                int[] rowIndex = Rent<int>(m.NonZeros);
                double[] values = Rent<double>(m.NonZeros);
                for (int i = 0; i < n; i++)
                {
                    SparseRow<T> row = m.GetRow(i);
                    for (int p = 0; p < row.Indices.Length; p++)
                    {
                        long at = next[row.Indices[p]]++;
                        rowIndex[at] = i;
                        values[at] = double.CreateTruncating(row.Values[p]);
                    }
                }

                return new ColumnCopy<T>(n, d, start, rowIndex, values);
            }

            default:
                throw new ArgumentException($"Unsupported data set {data.GetType().Name}.", nameof(data));
        }
    }

    /// <summary>
    /// The rows into columns, a block of rows at a time: the block widened into a row-major buffer that stays in cache,
    /// then written out column by column in runs of the block's length (a row at a time, every value went to another
    /// column's cache line and page: 12 ns per value on 569 × 30, most of a small fit's time).
    /// </summary>
    private static void Transpose(DenseDataset<T> dense, double[] values)
    {
        int n = dense.Rows, d = dense.Columns;
        int block = Math.Clamp(4_096 / Math.Max(d, 1), 1, 256); // the buffer ≤ 32 KB (and never a large-object array) unless d > 4,096
        double[] buffer = new double[block * d];
        for (int i0 = 0; i0 < n; i0 += block)
        {
            int rows = Math.Min(block, n - i0);
            for (int k = 0; k < rows; k++)
            {
                TensorPrimitives.ConvertTruncating<T, double>(dense.GetRow(i0 + k), buffer.AsSpan(k * d, d));
            }

            for (int j = 0; j < d; j++)
            {
                Span<double> column = values.AsSpan(checked((int)(((long)j * n) + i0)), rows);
                for (int k = 0; k < rows; k++)
                {
                    column[k] = buffer[(k * d) + j];
                }
            }
        }
    }
}
