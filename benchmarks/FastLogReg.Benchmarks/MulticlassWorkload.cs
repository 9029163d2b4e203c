using System.Numerics.Tensors;
using FastLogReg.Data;
using FastLogReg.Objective;
using FastLogReg.Reference;

namespace FastLogReg.Benchmarks;

/// <summary>
/// Synthetic K-class dense data: features uniform in [−1, 1] (float), labels drawn from a softmax model whose class
/// weights are random in [−1, 1] (so the classes overlap but carry signal), and a small random point (W, b) to evaluate
/// at. Seeded: the same shape gives the same data. Holds the objectives an epoch is measured with.
/// </summary>
public sealed class MulticlassWorkload
{
    public MulticlassWorkload(int rows, int columns, int classes, int threads, int seed = 5)
    {
        Data = Create(rows, columns, classes, seed);
        Classes = classes;
        Threads = threads;
        double l2 = 1.0 / rows;
        Multinomial = new MultinomialObjective<float>(Data, Penalty.L2(l2), oneVsRest: false, maxDegreeOfParallelism: threads);
        OneVsRest = new MultinomialObjective<float>(Data, Penalty.L2(l2), oneVsRest: true, maxDegreeOfParallelism: threads);

        // K binary problems over the same features: what one-vs-rest by K separate binary fits reads.
        float[] labels = Data.Labels.ToArray();
        Binary = new LogisticObjective<float>[classes];
        for (int c = 0; c < classes; c++)
        {
            float[] y = labels.Select(v => v == c ? 1f : 0f).ToArray();
            Binary[c] = new LogisticObjective<float>(DenseDataset.Create(Data.Features, y, columns), l2, maxDegreeOfParallelism: threads);
        }

        var rng = new Random(seed + 1);
        Point = new double[Multinomial.Dimension];
        for (int j = 0; j < Point.Length; j++)
        {
            Point[j] = (rng.NextDouble() - 0.5) * 0.2;
        }

        Gradient = new double[Point.Length];
        BinaryPoint = new double[columns + 1];
        BinaryGradient = new double[columns + 1];
        TextbookGradientW = new double[classes * columns];
        TextbookGradientB = new double[classes];
    }

    public DenseDataset<float> Data { get; }

    public int Classes { get; }

    public int Threads { get; }

    public MultinomialObjective<float> Multinomial { get; }

    public MultinomialObjective<float> OneVsRest { get; }

    public LogisticObjective<float>[] Binary { get; }

    public double[] Point { get; }

    public double[] Gradient { get; }

    private double[] BinaryPoint { get; }

    private double[] BinaryGradient { get; }

    private double[] TextbookGradientW { get; }

    private double[] TextbookGradientB { get; }

    /// <summary>Features uniform in [−1, 1]; yᵢ drawn from softmax(W xᵢ) with W uniform in [−1, 1].</summary>
    public static DenseDataset<float> Create(int rows, int columns, int classes, int seed = 5)
    {
        var rng = new Random(seed);
        double[] truth = new double[classes * columns];
        for (int j = 0; j < truth.Length; j++)
        {
            truth[j] = (rng.NextDouble() * 2) - 1;
        }

        float[] x = new float[(long)rows * columns];
        float[] y = new float[rows];
        double[] z = new double[classes];
        for (int i = 0; i < rows; i++)
        {
            Span<float> row = x.AsSpan(i * columns, columns);
            for (int j = 0; j < columns; j++)
            {
                row[j] = (float)((rng.NextDouble() * 2) - 1);
            }

            double max = double.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                double s = 0;
                for (int j = 0; j < columns; j++)
                {
                    s += truth[(c * columns) + j] * row[j];
                }

                z[c] = s;
                max = Math.Max(max, s);
            }

            double sum = 0;
            for (int c = 0; c < classes; c++)
            {
                z[c] = Math.Exp(z[c] - max);
                sum += z[c];
            }

            double u = rng.NextDouble() * sum;
            int label = classes - 1;
            for (int c = 0; c < classes; c++)
            {
                u -= z[c];
                if (u < 0)
                {
                    label = c;
                    break;
                }
            }

            y[i] = label;
        }

        return DenseDataset.Create(x, y, columns, classes);
    }

    /// <summary>Reads every feature once (Σ X), split over the threads: an epoch cannot beat it.</summary>
    public double StreamingRead()
    {
        return Sum(Data.Features, Threads);
    }

    /// <summary>Σ X over the threads.</summary>
    public static double Sum(ReadOnlyMemory<float> features, int threads)
    {
        if (threads <= 1)
        {
            return TensorPrimitives.Sum(features.Span);
        }

        double[] parts = new double[threads];
        int n = features.Length;
        Parallel.For(0, threads, t =>
        {
            int start = (int)((long)n * t / threads), end = (int)((long)n * (t + 1) / threads);
            parts[t] = TensorPrimitives.Sum(features.Span[start..end]);
        });
        return parts.Sum();
    }

    /// <summary>The fused multinomial epoch: K scores, softmax, loss and the K × d gradient in one pass over X.</summary>
    public double MultinomialEpoch() => Multinomial.Evaluate(Point, Gradient);

    /// <summary>The fused one-vs-rest epoch: K sigmoids per row, all K gradients in one pass over X.</summary>
    public double OneVsRestEpoch() => OneVsRest.Evaluate(Point, Gradient);

    /// <summary>K binary epochs (the fused binary kernel once per class): K passes over X.</summary>
    public double BinaryPasses()
    {
        int d = Data.Columns, k = Classes;
        double total = 0;
        for (int c = 0; c < k; c++)
        {
            Point.AsSpan(c * d, d).CopyTo(BinaryPoint);
            BinaryPoint[d] = Point[(k * d) + c];
            total += Binary[c].Evaluate(BinaryPoint, BinaryGradient);
        }

        return total;
    }

    /// <summary>The scalar textbook loop (one thread).</summary>
    public double Textbook()
    {
        int kd = Classes * Data.Columns;
        return TextbookSoftmax.LossAndGradient(Data, Point.AsSpan(0, kd), Point.AsSpan(kd), 1.0 / Data.Rows, oneVsRest: false, TextbookGradientW, TextbookGradientB);
    }
}
