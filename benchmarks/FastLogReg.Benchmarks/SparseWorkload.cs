using System.Numerics.Tensors;
using FastLogReg.Data;
using FastLogReg.Objective;

namespace FastLogReg.Benchmarks;

/// <summary>
/// Synthetic text-like sparse data: rows of about <c>nonZerosPerRow</c> distinct columns drawn from a Zipf-like law over
/// the columns (a few very common "words", a long tail), values like tf-idf weights (positive, 0.05–1), labels from a
/// logistic model whose weights favour a few thousand columns. Seeded: the same shape gives the same data.
/// </summary>
public sealed class SparseWorkload
{
    public SparseWorkload(int rows, int columns, int nonZerosPerRow, int threads, int seed = 17)
    {
        var rng = new Random(seed);
        double[] truth = new double[columns];
        for (int j = 0; j < Math.Min(columns, 5000); j++)
        {
            truth[j] = (rng.NextDouble() - 0.5) * 4;
        }

        // Zipf with exponent ~1.1 by inversion of the continuous law: column = floor(u^(-1/(s-1))) - 1, folded into range.
        long[] offsets = new long[rows + 1];
        var indices = new List<int>(rows * nonZerosPerRow);
        var values = new List<float>(rows * nonZerosPerRow);
        float[] labels = new float[rows];
        var row = new SortedSet<int>();
        for (int i = 0; i < rows; i++)
        {
            row.Clear();
            int want = Math.Max(1, nonZerosPerRow + rng.Next(-nonZerosPerRow / 4, (nonZerosPerRow / 4) + 1));
            while (row.Count < want)
            {
                double u = rng.NextDouble();
                long j = (long)Math.Pow(1 - u, -1 / 0.1) - 1;
                row.Add((int)(j % columns));
            }

            double z = -0.5;
            foreach (int j in row)
            {
                float v = (float)(0.05 + (0.95 * rng.NextDouble()));
                indices.Add(j);
                values.Add(v);
                z += truth[j] * v;
            }

            labels[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-z)) ? 1f : 0f;
            offsets[i + 1] = indices.Count;
        }

        Values = values.ToArray();
        Indices = indices.ToArray();
        Matrix = CsrMatrix.Create<float>(Values, Indices, offsets, columns);
        Data = SparseDataset.Create(Matrix, labels);
        Objective = new LogisticObjective<float>(Data, l2: 1.0 / rows, maxDegreeOfParallelism: threads);
        Point = new double[columns + 1];
        for (int j = 0; j < columns; j++)
        {
            Point[j] = truth[j] * 0.5;
        }

        Gradient = new double[columns + 1];
        Threads = threads;
    }

    public float[] Values { get; }

    public int[] Indices { get; }

    public CsrMatrix<float> Matrix { get; }

    public SparseDataset<float> Data { get; }

    public LogisticObjective<float> Objective { get; }

    public double[] Point { get; }

    public double[] Gradient { get; }

    public int Threads { get; }

    /// <summary>One fused epoch: loss and full gradient.</summary>
    public double Epoch() => Objective.Evaluate(Point, Gradient);

    /// <summary>Reads every value and every index once (Σ values + Σ indices), split over the threads: the memory yardstick.</summary>
    public double StreamingRead()
    {
        if (Threads <= 1)
        {
            return TensorPrimitives.Sum<float>(Values) + TensorPrimitives.Sum<int>(Indices);
        }

        double[] parts = new double[Threads];
        int n = Values.Length;
        Parallel.For(0, Threads, t =>
        {
            int start = (int)((long)n * t / Threads), end = (int)((long)n * (t + 1) / Threads);
            parts[t] = TensorPrimitives.Sum<float>(Values.AsSpan(start, end - start)) + TensorPrimitives.Sum<int>(Indices.AsSpan(start, end - start));
        });
        return parts.Sum();
    }
}
