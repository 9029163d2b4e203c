using System.Numerics;
using FastLogReg.Data;
using FastLogReg.Tests.Sparse;

namespace FastLogReg.Tests.Multiclass;

/// <summary>Random K-class problems and the bundled digits data.</summary>
public static class MulticlassData
{
    /// <summary>Features in [−1, 1], labels from a random softmax model, optional weights, and a point (W, b) scaled to |z| ≈ margin.</summary>
    public static (DenseDataset<T> Data, double[] Point) Build<T>(int rows, int columns, int classes, int seed, double margin, bool weighted)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        T[] x = new T[rows * columns];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = T.CreateTruncating((rng.NextDouble() * 2) - 1);
        }

        double[] point = new double[(classes * columns) + classes];
        for (int i = 0; i < point.Length; i++)
        {
            point[i] = ((rng.NextDouble() * 2) - 1) * margin / Math.Sqrt(columns + 1);
        }

        T[] y = new T[rows];
        for (int i = 0; i < rows; i++)
        {
            y[i] = T.CreateTruncating(rng.Next(classes));
        }

        T[]? s = null;
        if (weighted)
        {
            s = new T[rows];
            for (int i = 0; i < rows; i++)
            {
                s[i] = T.CreateTruncating(rng.NextDouble() * 3);
            }

            s[0] = T.One;
        }

        return (DenseDataset.Create(x, y, columns, classes, s), point);
    }

    /// <summary>The same rows sparsely (zeros dropped with probability 1 − density), as dense and as CSR data.</summary>
    public static (DenseDataset<T> Dense, SparseDataset<T> Sparse) Sparsify<T>(DenseDataset<T> data, double density, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (DenseDataset<T> dense, SparseDataset<T> sparse) = SparseData.Sparsify(AsBinaryShape(data), density, seed);
        var denseK = DenseDataset.Create(dense.Features, data.Labels, data.Columns, data.ClassCount, data.SampleWeights);
        var sparseK = SparseDataset.Create(sparse.Matrix, data.Labels, data.ClassCount, data.SampleWeights);
        return (denseK, sparseK);
    }

    /// <summary>digits.csv: 1,797 × 64 pixels (0–16), labels 0–9.</summary>
    public static (double[] X, double[] Y) Digits()
    {
        string[] lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "datasets", "digits.csv"));
        var x = new List<double>();
        var y = new List<double>();
        foreach (string line in lines.Skip(1).Where(l => l.Trim().Length > 0))
        {
            string[] cells = line.Trim().Split(',');
            x.AddRange(cells[..^1].Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)));
            y.Add(double.Parse(cells[^1], System.Globalization.CultureInfo.InvariantCulture));
        }

        return (x.ToArray(), y.ToArray());
    }

    private static DenseDataset<T> AsBinaryShape<T>(DenseDataset<T> data)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        DenseDataset.Create(data.Features, new T[data.Rows], data.Columns, data.SampleWeights);
}
