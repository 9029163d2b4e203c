using System.Numerics;
using FastLogReg.Data;

namespace FastLogReg.Training;

/// <summary>
/// The data by column, for coordinate descent: dense rows become a column-major copy (n values per column), sparse rows
/// compressed sparse columns (the row and value of each non-zero). Raw values, widened to double once (so float data
/// takes twice its own size here); a standardization is applied by the caller's arithmetic, so sparse columns stay sparse.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal sealed class ColumnCopy<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private ColumnCopy(int rows, int columns, long[] start, int[]? rowIndex, double[] values)
    {
        Rows = rows;
        Columns = columns;
        Start = start;
        RowIndex = rowIndex;
        Values = values;
    }

    public int Rows { get; }

    public int Columns { get; }

    /// <summary>Columns + 1 offsets into <see cref="Values"/>.</summary>
    public long[] Start { get; }

    /// <summary>The row of each value (sparse), or null: column j holds rows 0 … n − 1 in order (dense).</summary>
    public int[]? RowIndex { get; }

    public double[] Values { get; }

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

                var values = new double[size];
                for (int i = 0; i < n; i++)
                {
                    ReadOnlySpan<T> row = dense.GetRow(i);
                    for (int j = 0; j < d; j++)
                    {
                        values[((long)j * n) + i] = double.CreateTruncating(row[j]);
                    }
                }

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
                int[] rowIndex = new int[m.NonZeros];
                var values = new double[m.NonZeros];
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
}
