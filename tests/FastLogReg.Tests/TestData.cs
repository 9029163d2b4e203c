using System.Globalization;
using System.Numerics;
using FastLogReg.Data;

namespace FastLogReg.Tests;

/// <summary>A randomly shaped problem: data plus a point (w, b) at which to evaluate.</summary>
public sealed record Problem(int Rows, int Columns, int Seed, double MaxMargin, bool Weighted, double L2)
{
    public override string ToString() => $"{Rows}×{Columns} seed={Seed} max|z|≈{MaxMargin} weighted={Weighted} λ={L2}";
}

/// <summary>Builds data sets for tests: random ones from a <see cref="Problem"/>, and the bundled breast-cancer data.</summary>
public static class TestData
{
    /// <summary>
    /// Features uniform in [−1, 1], labels from a noisy logistic model, optional weights in [0, 3), and a point (w, b)
    /// scaled so that the largest |z| is about <see cref="Problem.MaxMargin"/> (large values saturate σ).
    /// </summary>
    public static (DenseDataset<T> Data, double[] Weights, double Bias) Build<T>(Problem p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(p.Seed);
        var x = new T[p.Rows * p.Columns];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = T.CreateTruncating((rng.NextDouble() * 2) - 1);
        }

        var w = new double[p.Columns];
        for (int j = 0; j < w.Length; j++)
        {
            w[j] = rng.NextDouble() * 2 - 1;
        }

        double b = rng.NextDouble() - 0.5;
        var y = new T[p.Rows];
        double maxAbs = 0;
        for (int i = 0; i < p.Rows; i++)
        {
            double z = b;
            for (int j = 0; j < p.Columns; j++)
            {
                z += w[j] * double.CreateTruncating(x[(i * p.Columns) + j]);
            }

            maxAbs = Math.Max(maxAbs, Math.Abs(z));
            y[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-z)) ? T.One : T.Zero;
        }

        double scale = maxAbs > 0 ? p.MaxMargin / maxAbs : 0;
        for (int j = 0; j < w.Length; j++)
        {
            w[j] *= scale;
        }

        b *= scale;
        T[]? s = null;
        if (p.Weighted)
        {
            s = new T[p.Rows];
            for (int i = 0; i < s.Length; i++)
            {
                s[i] = T.CreateTruncating(rng.NextDouble() * 3);
            }

            s[0] = T.One; // never all zero
        }

        return (DenseDataset.Create(x, y, p.Columns, s), w, b);
    }

    /// <summary>The concatenation (w, b), the layout the objective expects.</summary>
    public static double[] Point(double[] w, double b) => [.. w, b];

    private static readonly Lazy<(double[] X, double[] Y, string[] Names)> BreastCancerRaw = new(LoadBreastCancer);

    /// <summary>The bundled breast-cancer data (569 × 30), raw features.</summary>
    public static (double[] X, double[] Y, string[] Names) BreastCancer => BreastCancerRaw.Value;

    /// <summary>Breast cancer standardized with the population standard deviation (as scikit-learn's StandardScaler).</summary>
    public static DenseDataset<double> BreastCancerStandardized()
    {
        (double[] x, double[] y, string[] names) = BreastCancer;
        int d = names.Length, n = y.Length;
        var z = new double[x.Length];
        for (int j = 0; j < d; j++)
        {
            double mean = 0;
            for (int i = 0; i < n; i++)
            {
                mean += x[(i * d) + j];
            }

            mean /= n;
            double variance = 0;
            for (int i = 0; i < n; i++)
            {
                double c = x[(i * d) + j] - mean;
                variance += c * c;
            }

            double std = Math.Sqrt(variance / n);
            for (int i = 0; i < n; i++)
            {
                z[(i * d) + j] = (x[(i * d) + j] - mean) / std;
            }
        }

        return DenseDataset.Create(z, y, d);
    }

    private static (double[] X, double[] Y, string[] Names) LoadBreastCancer()
    {
        string[] lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "datasets", "breast_cancer.csv"));
        string[] header = lines[0].Split(',');
        int d = header.Length - 1;
        var x = new List<double>();
        var y = new List<double>();
        foreach (string line in lines.Skip(1).Where(l => l.Length > 0))
        {
            string[] cells = line.Split(',');
            for (int j = 0; j < d; j++)
            {
                x.Add(double.Parse(cells[j], CultureInfo.InvariantCulture));
            }

            y.Add(double.Parse(cells[d], CultureInfo.InvariantCulture));
        }

        return (x.ToArray(), y.ToArray(), header[..d]);
    }
}
