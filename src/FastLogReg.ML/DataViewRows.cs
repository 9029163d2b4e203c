using FastLogReg.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace FastLogReg.ML;

/// <summary>
/// Reads the features column of an <see cref="IDataView"/> into FastLogReg rows. Dense vectors go straight into a dense
/// row-major array (one cursor pass, no intermediate lists; to CSR at the end when fewer than a quarter of the values are
/// non-zero); sparse vectors (the first row tells) are gathered into CSR directly, never densified.
/// </summary>
internal static class DataViewRows
{
    public static Dataset<float> Read(IDataView input, string featureColumn, int d, float[] labels, int classCount)
    {
        DataViewSchema.Column column = input.Schema[featureColumn];
        int n = labels.Length;
        long size = (long)n * d;
        if (size > Array.MaxLength || FirstRowIsSparse(input, column))
        {
            return ReadSparse(input, column, featureColumn, d, labels, classCount);
        }

        float[] x = new float[size];
        long nonZeros = 0;
        int row = 0;
        using (DataViewRowCursor cursor = input.GetRowCursor([column]))
        {
            ValueGetter<VBuffer<float>> get = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> buffer = default;
            while (cursor.MoveNext())
            {
                if (row >= n)
                {
                    throw new ArgumentException($"The features column '{featureColumn}' has more rows than the label column.", nameof(input));
                }

                get(ref buffer);
                ReadOnlySpan<float> v = buffer.GetValues();
                Span<float> target = x.AsSpan((int)((long)row * d), d);
                if (buffer.IsDense)
                {
                    v.CopyTo(target);
                }
                else
                {
                    ReadOnlySpan<int> ix = buffer.GetIndices();
                    for (int p = 0; p < v.Length; p++)
                    {
                        target[ix[p]] = v[p];
                    }
                }

                for (int j = 0; j < d; j++)
                {
                    float value = target[j];
                    if (!float.IsFinite(value))
                    {
                        throw new ArgumentException($"Row {row} of '{featureColumn}', slot {j}: {value} is not a finite number (ML.NET reads a missing value as NaN; fill or drop those rows first).", nameof(input));
                    }

                    nonZeros += value != 0 ? 1 : 0;
                }

                row++;
            }
        }

        if (row != n)
        {
            throw new ArgumentException($"The features column '{featureColumn}' has {row} rows, the label column {n}.", nameof(input));
        }

        if (nonZeros >= size / 4)
        {
            return DenseDataset.Create(x, labels, d, classCount);
        }

        // Mostly zeros (one-hot, hashed or text features): compressed sparse rows.
        float[] values = new float[nonZeros];
        int[] indices = new int[nonZeros];
        long[] offsets = new long[n + 1];
        long at = 0;
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> r = x.AsSpan((int)((long)i * d), d);
            for (int j = 0; j < d; j++)
            {
                if (r[j] != 0)
                {
                    values[at] = r[j];
                    indices[at++] = j;
                }
            }

            offsets[i + 1] = at;
        }

        return SparseDataset.Create(CsrMatrix.Create<float>(values, indices, offsets, d), labels, classCount);
    }

    private static bool FirstRowIsSparse(IDataView input, DataViewSchema.Column column)
    {
        using DataViewRowCursor cursor = input.GetRowCursor([column]);
        ValueGetter<VBuffer<float>> get = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> buffer = default;
        if (!cursor.MoveNext())
        {
            return false;
        }

        get(ref buffer);
        return !buffer.IsDense;
    }

    private static Dataset<float> ReadSparse(IDataView input, DataViewSchema.Column column, string featureColumn, int d, float[] labels, int classCount)
    {
        var values = new List<float>();
        var indices = new List<int>();
        long[] offsets = new long[labels.Length + 1];
        int row = 0;
        using (DataViewRowCursor cursor = input.GetRowCursor([column]))
        {
            ValueGetter<VBuffer<float>> get = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> buffer = default;
            while (cursor.MoveNext())
            {
                if (row >= labels.Length)
                {
                    throw new ArgumentException($"The features column '{featureColumn}' has more rows than the label column.", nameof(input));
                }

                get(ref buffer);
                ReadOnlySpan<float> v = buffer.GetValues();
                ReadOnlySpan<int> ix = buffer.IsDense ? default : buffer.GetIndices();
                for (int p = 0; p < v.Length; p++)
                {
                    int j = buffer.IsDense ? p : ix[p];
                    if (!float.IsFinite(v[p]))
                    {
                        throw new ArgumentException($"Row {row} of '{featureColumn}', slot {j}: {v[p]} is not a finite number (ML.NET reads a missing value as NaN; fill or drop those rows first).", nameof(input));
                    }

                    if (v[p] != 0)
                    {
                        values.Add(v[p]);
                        indices.Add(j);
                    }
                }

                offsets[++row] = values.Count;
            }
        }

        if (row != labels.Length)
        {
            throw new ArgumentException($"The features column '{featureColumn}' has {row} rows, the label column {labels.Length}.", nameof(input));
        }

        return SparseDataset.Create(CsrMatrix.Create<float>(values.ToArray(), indices.ToArray(), offsets, d), labels, classCount);
    }
}

/// <summary>Column checks with messages that name the column and what was expected.</summary>
internal static class ColumnCheck
{
    public static DataViewSchema.Column Find(DataViewSchema schema, string name) =>
        schema.GetColumnOrNull(name) ?? throw new ArgumentException($"The data has no column '{name}' (it has {string.Join(", ", schema.Select(c => $"'{c.Name}'"))}).");

    public static void Require(DataViewSchema schema, string name, DataViewType type, string what)
    {
        DataViewSchema.Column column = Find(schema, name);
        if (!column.Type.Equals(type))
        {
            throw new ArgumentException($"The column '{name}' is {column.Type}; the trainer takes {what}.");
        }
    }

    /// <summary>The features column's length (a known-size vector of float).</summary>
    public static int FeatureCount(DataViewSchema schema, string name)
    {
        DataViewSchema.Column column = Find(schema, name);
        if (column.Type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single || !vector.IsKnownSize)
        {
            throw new ArgumentException($"The column '{name}' is {column.Type}; the trainer takes a vector of Single of known size (Concatenate the feature columns into one).");
        }

        return vector.Size;
    }
}
