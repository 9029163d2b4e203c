using FastLogReg.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace FastLogReg.ML;

/// <summary>Reads the features column of an <see cref="IDataView"/> into FastLogReg rows: dense if every row is, else CSR.</summary>
internal static class DataViewRows
{
    public static Dataset<float> Read(IDataView input, string featureColumn, int d, float[] labels, int classCount)
    {
        DataViewSchema.Column column = input.Schema[featureColumn];
        var values = new List<float>();
        var indices = new List<int>();
        long[] offsets = new long[labels.Length + 1];
        bool allDense = true;
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
                if (buffer.IsDense)
                {
                    for (int j = 0; j < v.Length; j++)
                    {
                        Check(v[j], row, j, featureColumn);
                        if (v[j] != 0)
                        {
                            values.Add(v[j]);
                            indices.Add(j);
                        }
                    }
                }
                else
                {
                    allDense = false;
                    ReadOnlySpan<int> ix = buffer.GetIndices();
                    for (int p = 0; p < v.Length; p++)
                    {
                        Check(v[p], row, ix[p], featureColumn);
                        if (v[p] != 0)
                        {
                            values.Add(v[p]);
                            indices.Add(ix[p]);
                        }
                    }
                }

                offsets[++row] = values.Count;
            }
        }

        if (row != labels.Length)
        {
            throw new ArgumentException($"The features column '{featureColumn}' has {row} rows, the label column {labels.Length}.", nameof(input));
        }

        var matrix = CsrMatrix.Create<float>(values.ToArray(), indices.ToArray(), offsets, d);
        if (!allDense || (double)values.Count / Math.Max(1, (long)row * d) < 0.25)
        {
            return SparseDataset.Create(matrix, labels, classCount);
        }

        float[] x = new float[(long)row * d];
        for (int i = 0; i < row; i++)
        {
            SparseRow<float> r = matrix.GetRow(i);
            for (int p = 0; p < r.Indices.Length; p++)
            {
                x[((long)i * d) + r.Indices[p]] = r.Values[p];
            }
        }

        return DenseDataset.Create(x, labels, d, classCount);
    }

    private static void Check(float value, int row, int column, string name)
    {
        if (!float.IsFinite(value))
        {
            throw new ArgumentException($"Row {row} of '{name}', slot {column}: {value} is not a finite number (ML.NET reads a missing value as NaN; fill or drop those rows first).");
        }
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
