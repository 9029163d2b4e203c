using System.Numerics;

namespace FastLogReg.Data;

/// <summary>Copies of chosen rows of a data set (a cross-validation fold), in the order given, same layout.</summary>
internal static class DatasetRows
{
    public static Dataset<T> Take<T>(Dataset<T> data, ReadOnlySpan<int> rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ReadOnlySpan<T> labels = data.Labels.Span, weights = data.SampleWeights.Span;
        T[] y = new T[rows.Length];
        T[]? s = data.HasSampleWeights ? new T[rows.Length] : null;
        for (int k = 0; k < rows.Length; k++)
        {
            y[k] = labels[rows[k]];
            if (s is not null)
            {
                s[k] = weights[rows[k]];
            }
        }

        ReadOnlyMemory<T> sampleWeights = s is null ? default : s;
        switch (data)
        {
            case DenseDataset<T> dense:
            {
                int d = dense.Columns;
                T[] x = new T[checked((long)rows.Length * d)];
                for (int k = 0; k < rows.Length; k++)
                {
                    dense.GetRow(rows[k]).CopyTo(x.AsSpan(k * d, d));
                }

                return DenseDataset.Create(x, y, d, data.ClassCount, sampleWeights);
            }

            case SparseDataset<T> sparse:
            {
                long[] offsets = new long[rows.Length + 1];
                for (int k = 0; k < rows.Length; k++)
                {
                    offsets[k + 1] = offsets[k] + sparse.Matrix.GetRow(rows[k]).Indices.Length;
                }

                T[] values = new T[offsets[^1]];
                int[] indices = new int[offsets[^1]];
                for (int k = 0; k < rows.Length; k++)
                {
                    SparseRow<T> row = sparse.Matrix.GetRow(rows[k]);
                    row.Values.CopyTo(values.AsSpan((int)offsets[k]));
                    row.Indices.CopyTo(indices.AsSpan((int)offsets[k]));
                }

                return SparseDataset.Create(CsrMatrix.Create<T>(values, indices, offsets, sparse.Columns), y, data.ClassCount, sampleWeights);
            }

            default:
                throw new NotSupportedException($"{data.GetType().Name} is not a supported data layout.");
        }
    }
}
