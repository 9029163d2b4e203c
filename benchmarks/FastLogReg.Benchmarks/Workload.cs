using System.Numerics;

namespace FastLogReg.Benchmarks;

/// <summary>Random data of a given shape, generated once per benchmark process.</summary>
public static class Workload
{
    /// <summary>Parses "rows x columns".</summary>
    public static (int Rows, int Columns) Parse(string shape)
    {
        string[] parts = shape.Split('x');
        return (int.Parse(parts[0]), int.Parse(parts[1]));
    }

    /// <summary>Features uniform in [−1, 1], balanced random labels, and a small random point (w, b).</summary>
    public static (T[] Features, T[] Labels, double[] Point) Create<T>(int rows, int columns, int seed = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        var x = new T[(long)rows * columns];
        for (long i = 0; i < x.Length; i++)
        {
            x[i] = T.CreateTruncating((rng.NextDouble() * 2) - 1);
        }

        var y = new T[rows];
        for (int i = 0; i < rows; i++)
        {
            y[i] = rng.Next(2) == 1 ? T.One : T.Zero;
        }

        var point = new double[columns + 1];
        for (int j = 0; j < point.Length; j++)
        {
            point[j] = (rng.NextDouble() - 0.5) * 0.2;
        }

        return (x, y, point);
    }
}
