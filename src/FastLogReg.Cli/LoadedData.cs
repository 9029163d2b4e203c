using FastLogReg.Data;
using FastLogReg.IO;

namespace FastLogReg.Cli;

/// <summary>A labelled file as the commands use it: dense rows (CSV) or sparse rows (LIBSVM), with names and label mapping.</summary>
/// <param name="Data">The rows.</param>
/// <param name="FeatureNames">One name per feature.</param>
/// <param name="Labels">How the file's label values map to classes.</param>
/// <param name="Source">The file read.</param>
internal sealed record LoadedData(Dataset<double> Data, IReadOnlyList<string> FeatureNames, LabelMapping Labels, string Source)
{
    /// <summary>The CSV label column's name, or null.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>What the reader wants the user to know.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    public static LoadedData From(LabeledData<double> read) => new(read.Data, read.FeatureNames, read.Labels, read.Source) { LabelColumn = read.LabelColumn };

    public static LoadedData From(SparseLabeledData<double> read) => new(read.Data, read.FeatureNames, read.Labels, read.Source) { Notes = read.Notes, LabelColumn = read.LabelColumn };

    /// <summary>"dense" or "sparse, N non-zeros (density)".</summary>
    public string Layout => Data is SparseDataset<double> s
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"sparse, {s.Matrix.NonZeros:N0} non-zeros ({100.0 * s.Matrix.NonZeros / ((double)s.Rows * s.Columns):G3}% dense)")
        : "dense";
}

/// <summary>Row shuffles of loaded data (the arrays belong to this process).</summary>
internal static class Shuffle
{
    /// <summary>The Fisher–Yates permutation of <paramref name="rows"/> rows for a seed: entry k is the file row now at position k.</summary>
    public static int[] Permutation(int rows, int seed)
    {
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            order[i] = i;
        }

        var random = new Random(seed);
        for (int i = rows - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }

    /// <summary>The rows in the order of <paramref name="order"/>: dense rows swapped in place (the same swaps that made it), sparse rows copied.</summary>
    public static Dataset<double> Apply(Dataset<double> data, int[] order, int seed)
    {
        if (data is DenseDataset<double> dense)
        {
            if (!System.Runtime.InteropServices.MemoryMarshal.TryGetArray(dense.Features, out ArraySegment<double> xs) || !System.Runtime.InteropServices.MemoryMarshal.TryGetArray(dense.Labels, out ArraySegment<double> ys))
            {
                throw new InvalidOperationException("Loaded data is expected to be array-backed.");
            }

            Span<double> x = xs.AsSpan();
            Span<double> y = ys.AsSpan();
            int n = dense.Rows, d = dense.Columns;
            double[] row = new double[d];
            var random = new Random(seed);
            for (int i = n - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                if (i == j)
                {
                    continue;
                }

                x.Slice(i * d, d).CopyTo(row);
                x.Slice(j * d, d).CopyTo(x.Slice(i * d, d));
                row.CopyTo(x.Slice(j * d, d));
                (y[i], y[j]) = (y[j], y[i]);
            }

            return dense;
        }

        var sparse = (SparseDataset<double>)data;
        CsrMatrix<double> m = sparse.Matrix;
        long[] offsets = new long[m.Rows + 1];
        int[] indices = new int[m.NonZeros];
        double[] values = new double[m.NonZeros];
        double[] labels = new double[m.Rows];
        ReadOnlySpan<double> y0 = sparse.Labels.Span;
        int at = 0;
        for (int k = 0; k < order.Length; k++)
        {
            SparseRow<double> r = m.GetRow(order[k]);
            r.Indices.CopyTo(indices.AsSpan(at));
            r.Values.CopyTo(values.AsSpan(at));
            at += r.Indices.Length;
            offsets[k + 1] = at;
            labels[k] = y0[order[k]];
        }

        return SparseDataset.Create(CsrMatrix.Create<double>(values, indices, offsets, m.Columns), labels, sparse.ClassCount);
    }

    /// <summary>Rows [<paramref name="start"/>, +<paramref name="count"/>) of a loaded (array-backed) data set.</summary>
    public static Dataset<double> Slice(Dataset<double> data, int start, int count)
    {
        if (data is DenseDataset<double> dense)
        {
            return dense.Slice(start, count);
        }

        var sparse = (SparseDataset<double>)data;
        ReadOnlySpan<long> offsets = sparse.Matrix.RowOffsets.Span;
        long first = offsets[start];
        long[] shifted = new long[count + 1];
        for (int k = 0; k <= count; k++)
        {
            shifted[k] = offsets[start + k] - first;
        }

        int length = (int)(offsets[start + count] - first);
        var matrix = CsrMatrix.Create(sparse.Matrix.Values.Slice((int)first, length), sparse.Matrix.ColumnIndices.Slice((int)first, length), shifted, sparse.Columns);
        return SparseDataset.Create(matrix, sparse.Labels.Slice(start, count), sparse.ClassCount);
    }
}
