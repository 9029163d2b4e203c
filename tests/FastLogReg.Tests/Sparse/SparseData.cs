using System.Numerics;
using FastLogReg.Data;

namespace FastLogReg.Tests.Sparse;

/// <summary>The same rows twice: as a dense data set and as compressed sparse rows holding only its non-zeros.</summary>
public static class SparseData
{
    /// <summary>
    /// Zeroes each value of <paramref name="dense"/> with probability 1 − <paramref name="density"/> (column
    /// <paramref name="emptyColumn"/> always, if ≥ 0; every third row entirely when <paramref name="emptyRows"/>), and
    /// returns the result densely and sparsely.
    /// </summary>
    public static (DenseDataset<T> Dense, SparseDataset<T> Sparse) Sparsify<T>(DenseDataset<T> dense, double density, int seed, int emptyColumn = -1, bool emptyRows = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        int n = dense.Rows, d = dense.Columns;
        T[] x = dense.Features.ToArray();
        var values = new List<T>();
        var indices = new List<int>();
        long[] offsets = new long[n + 1];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                bool keep = rng.NextDouble() < density && j != emptyColumn && !(emptyRows && i % 3 == 1);
                if (!keep)
                {
                    x[(i * d) + j] = T.Zero;
                }
                else if (x[(i * d) + j] != T.Zero)
                {
                    values.Add(x[(i * d) + j]);
                    indices.Add(j);
                }
            }

            offsets[i + 1] = values.Count;
        }

        T[] y = dense.Labels.ToArray();
        T[]? s = dense.HasSampleWeights ? dense.SampleWeights.ToArray() : null;
        var densified = DenseDataset.Create(x, y, d, s);
        var matrix = CsrMatrix.Create<T>(values.ToArray(), indices.ToArray(), offsets, d);
        return (densified, SparseDataset.Create(matrix, y, s));
    }
}
