using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using FastLogReg.Internal;

namespace FastLogReg.Data;

/// <summary>
/// Compressed sparse rows over the caller's memory: row <c>i</c> holds the non-zeros
/// <c>[RowOffsets[i], RowOffsets[i + 1])</c> of <see cref="ColumnIndices"/> (strictly ascending, in
/// [0, <see cref="Columns"/>)) and <see cref="Values"/> (finite). Absent entries are 0. Nothing is copied.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <remarks>Created and validated once, in one pass, by <c>CsrMatrix.Create</c>. Row offsets are 64-bit, so the
/// non-zeros may number more than 2³¹ (in native memory).</remarks>
public sealed class CsrMatrix<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    internal CsrMatrix(Elements<T> values, Elements<int> indices, ReadOnlyMemory<long> rowOffsets, int columns, double maxMagnitude)
    {
        ValueElements = values;
        IndexElements = indices;
        RowOffsets = rowOffsets;
        Columns = columns;
        MaxMagnitude = maxMagnitude;
    }

    /// <summary>Number of rows.</summary>
    public int Rows => RowOffsets.Length - 1;

    /// <summary>Number of columns (the dimension of every row).</summary>
    public int Columns { get; }

    /// <summary>Number of stored (non-zero) entries.</summary>
    public long NonZeros => ValueElements.Length;

    /// <summary>Rows + 1 offsets into the non-zeros: row i is [RowOffsets[i], RowOffsets[i + 1]).</summary>
    public ReadOnlyMemory<long> RowOffsets { get; }

    /// <summary>The non-zero values (managed memory only).</summary>
    public ReadOnlyMemory<T> Values => ValueElements.Managed;

    /// <summary>The column of each non-zero (managed memory only).</summary>
    public ReadOnlyMemory<int> ColumnIndices => IndexElements.Managed;

    internal Elements<T> ValueElements { get; }

    internal Elements<int> IndexElements { get; }

    internal double MaxMagnitude { get; }

    /// <summary>The column indices and values of one row.</summary>
    /// <param name="row">Zero-based row index.</param>
    public SparseRow<T> GetRow(int row)
    {
        if ((uint)row >= (uint)Rows)
        {
            ThrowHelper.ThrowRowOutOfRange(row, Rows);
        }

        ReadOnlySpan<long> offsets = RowOffsets.Span;
        long start = offsets[row];
        int count = (int)(offsets[row + 1] - start);
        return new SparseRow<T>(IndexElements.Slice(start, count), ValueElements.Slice(start, count));
    }

    /// <summary>The non-zeros of rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>): their indices and values.</summary>
    internal SparseRow<T> Block(int start, int count, out long first)
    {
        ReadOnlySpan<long> offsets = RowOffsets.Span;
        first = offsets[start];
        int length = checked((int)(offsets[start + count] - first));
        return new SparseRow<T>(IndexElements.Slice(first, length), ValueElements.Slice(first, length));
    }
}

/// <summary>One sparse row (or a run of rows): the column indices of its non-zeros and their values.</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <param name="Indices">Column indices, strictly ascending within a row.</param>
/// <param name="Values">The values, one per index.</param>
public readonly ref struct SparseRow<T>(ReadOnlySpan<int> Indices, ReadOnlySpan<T> Values)
    where T : unmanaged
{
    /// <summary>Column indices, strictly ascending within a row.</summary>
    public ReadOnlySpan<int> Indices { get; } = Indices;

    /// <summary>The values, one per index.</summary>
    public ReadOnlySpan<T> Values { get; } = Values;
}

/// <summary>Creates validated <see cref="CsrMatrix{T}"/> views.</summary>
public static class CsrMatrix
{
    /// <summary>Wraps compressed sparse rows in managed memory, after checking them in one pass.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="values">The non-zero values, row after row; every value finite.</param>
    /// <param name="columnIndices">The column of each value; within a row strictly ascending and in [0, <paramref name="columns"/>).</param>
    /// <param name="rowOffsets">Rows + 1 offsets: 0 first, never decreasing, the number of values last.</param>
    /// <param name="columns">The number of columns, at least 1.</param>
    /// <exception cref="ArgumentException">The arrays do not form valid sparse rows; the message names the row and position.</exception>
    public static CsrMatrix<T> Create<T>(ReadOnlyMemory<T> values, ReadOnlyMemory<int> columnIndices, ReadOnlyMemory<long> rowOffsets, int columns)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Create(new Elements<T>(values), new Elements<int>(columnIndices), rowOffsets, columns);

    /// <summary>
    /// Wraps compressed sparse rows whose values and column indices are in native memory (memory-mapped files, say),
    /// which may hold more than 2³¹ non-zeros; the buffers must stay open while the matrix is used.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="values">The non-zero values.</param>
    /// <param name="columnIndices">The column of each value (32-bit integers).</param>
    /// <param name="rowOffsets">Rows + 1 offsets; the last one is the number of non-zeros used from the buffers.</param>
    /// <param name="columns">The number of columns.</param>
    public static CsrMatrix<T> Create<T>(SafeBuffer values, SafeBuffer columnIndices, ReadOnlyMemory<long> rowOffsets, int columns)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long used = rowOffsets.IsEmpty ? 0 : rowOffsets.Span[^1];
        var v = new Elements<T>(values, used);
        var k = new Elements<int>(columnIndices, used);
        return Create(v, k, rowOffsets, columns);
    }

    private static CsrMatrix<T> Create<T>(Elements<T> values, Elements<int> indices, ReadOnlyMemory<long> rowOffsets, int columns)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.ThrowIfUnsupportedElementType<T>();
        if (columns < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(columns), columns, "A sparse matrix needs at least one column.");
        }

        if (rowOffsets.Length < 2)
        {
            throw new ArgumentException("rowOffsets needs rows + 1 values (at least one row).", nameof(rowOffsets));
        }

        if (values.Length != indices.Length)
        {
            throw new ArgumentException($"values has {values.Length} entries but columnIndices has {indices.Length}: one index per value.", "columnIndices");
        }

        ReadOnlySpan<long> offsets = rowOffsets.Span;
        if (offsets[0] != 0)
        {
            throw new ArgumentException($"rowOffsets[0] is {offsets[0]}: the first row starts at 0.", nameof(rowOffsets));
        }

        if (offsets[^1] != values.Length)
        {
            throw new ArgumentException($"rowOffsets ends at {offsets[^1]}, but there are {values.Length} values: the last offset is the number of non-zeros.", nameof(rowOffsets));
        }

        int rows = offsets.Length - 1;
        for (int i = 0; i < rows; i++)
        {
            long start = offsets[i], end = offsets[i + 1];
            if (end < start)
            {
                throw new ArgumentException($"Row {i} ends at {end}, before it starts at {start}: rowOffsets must never decrease.", nameof(rowOffsets));
            }

            if (end == start)
            {
                continue;
            }

            ReadOnlySpan<int> row = indices.Slice(start, checked((int)(end - start)));
            int previous = -1;
            for (int k = 0; k < row.Length; k++)
            {
                int j = row[k];
                if ((uint)j >= (uint)columns)
                {
                    throw new ArgumentException($"Row {i}, non-zero {k} (position {start + k}) has column {j}, outside [0, {columns}).", "columnIndices");
                }

                if (j <= previous)
                {
                    throw new ArgumentException($"Row {i}, non-zero {k} (position {start + k}) has column {j} after column {previous}: within a row the columns must be strictly ascending (no duplicates).", "columnIndices");
                }

                previous = j;
            }
        }

        double maxMagnitude = 0;
        foreach ((long start, int length) in values.Pieces())
        {
            ReadOnlySpan<T> piece = values.Slice(start, length);
            double largest = double.CreateTruncating(T.Abs(TensorPrimitives.MaxMagnitude(piece)));
            if (!double.IsFinite(largest))
            {
                int k = 0;
                while (T.IsFinite(piece[k]))
                {
                    k++;
                }

                long position = start + k;
                int row = RowOf(offsets, position);
                throw new ArgumentException($"Row {row}, position {position} (column {indices.Slice(position, 1)[0]}) holds {piece[k]}: values must be finite (no NaN or ±∞).", nameof(values));
            }

            maxMagnitude = Math.Max(maxMagnitude, largest);
        }

        return new CsrMatrix<T>(values, indices, rowOffsets, columns, maxMagnitude);
    }

    /// <summary>The row that holds non-zero <paramref name="position"/>.</summary>
    internal static int RowOf(ReadOnlySpan<long> offsets, long position)
    {
        int found = offsets.BinarySearch(position);
        if (found < 0)
        {
            return ~found - 1;
        }

        // Empty rows share an offset: the row that holds the position is the last of them.
        while (found + 1 < offsets.Length - 1 && offsets[found + 1] == position)
        {
            found++;
        }

        return found;
    }
}
