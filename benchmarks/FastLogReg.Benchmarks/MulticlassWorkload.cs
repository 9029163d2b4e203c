using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
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
        MultinomialFloat = new MultinomialObjective<float>(Data, Penalty.L2(l2), oneVsRest: false, maxDegreeOfParallelism: threads) { FloatProducts = true };

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

    /// <summary>The multinomial objective with float products (<see cref="MultinomialObjective{T}.FloatProducts"/>).</summary>
    public MultinomialObjective<float> MultinomialFloat { get; }

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

        // FASTLOGREG_PROBE_SHIFT=s (probes only): the rows start s floats past a 64-byte boundary.
        string? shiftText = Environment.GetEnvironmentVariable("FASTLOGREG_PROBE_SHIFT");
        int shift = shiftText is null ? -1 : int.Parse(shiftText, System.Globalization.CultureInfo.InvariantCulture);
        float[] storage = shift < 0 ? new float[(long)rows * columns] : GC.AllocateArray<float>((rows * columns) + 16, pinned: true);
        int offset = 0;
        unsafe
        {
            nint address = (nint)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(storage));
            if (shift >= 0)
            {
                offset = (int)((((shift * 4) - (address & 63)) & 63) / 4);
            }

            if (shiftText is not null)
            {
                Console.WriteLine($"rows start at {(address + (offset * 4)) & 63} bytes past a 64-byte boundary");
            }
        }

        Span<float> x = storage.AsSpan(offset, rows * columns);
        float[] y = new float[rows];
        double[] z = new double[classes];
        for (int i = 0; i < rows; i++)
        {
            Span<float> row = x.Slice(i * columns, columns);
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

        return DenseDataset.Create<float>(storage.AsMemory(offset, rows * columns), y.AsMemory(), columns, classes);
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

    /// <summary>
    /// The arithmetic an epoch cannot avoid, at the machine's peak: per row, the K scores and the K × d gradient take
    /// 2·K·⌈d/w⌉ fused multiply-adds of w doubles (w the widest hardware vector), run here on sixteen independent register
    /// accumulators with no memory traffic at all, the rows split over the threads. An epoch in double cannot beat it.
    /// </summary>
    public double ArithmeticFloor()
    {
        int width = Vector512.IsHardwareAccelerated ? 8 : Vector256.IsHardwareAccelerated ? 4 : 2;
        long perRow = 2L * Classes * ((Data.Columns + width - 1) / width);
        long rounds = Data.Rows * perRow / 16;
        double[] parts = new double[Threads];
        Parallel.For(0, Threads, t =>
        {
            long n = (rounds * (t + 1) / Threads) - (rounds * t / Threads);
            parts[t] = width switch
            {
                8 => Fma512(n),
                4 => Fma8<Vector256<double>, FastLogReg.Numerics.Simd256>(n),
                _ => Fma8<Vector128<double>, FastLogReg.Numerics.Simd128>(n),
            };
        });
        return parts.Sum();
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double Fma512(long rounds)
    {
        Vector512<double> m = Vector512.Create(0.9999999), c = Vector512.Create(1e-9);
        Vector512<double> a0 = Vector512.Create(0.1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        Vector512<double> a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0, a14 = a0, a15 = a0;
        for (long i = 0; i < rounds; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, c);
            a1 = Vector512.FusedMultiplyAdd(a1, m, c);
            a2 = Vector512.FusedMultiplyAdd(a2, m, c);
            a3 = Vector512.FusedMultiplyAdd(a3, m, c);
            a4 = Vector512.FusedMultiplyAdd(a4, m, c);
            a5 = Vector512.FusedMultiplyAdd(a5, m, c);
            a6 = Vector512.FusedMultiplyAdd(a6, m, c);
            a7 = Vector512.FusedMultiplyAdd(a7, m, c);
            a8 = Vector512.FusedMultiplyAdd(a8, m, c);
            a9 = Vector512.FusedMultiplyAdd(a9, m, c);
            a10 = Vector512.FusedMultiplyAdd(a10, m, c);
            a11 = Vector512.FusedMultiplyAdd(a11, m, c);
            a12 = Vector512.FusedMultiplyAdd(a12, m, c);
            a13 = Vector512.FusedMultiplyAdd(a13, m, c);
            a14 = Vector512.FusedMultiplyAdd(a14, m, c);
            a15 = Vector512.FusedMultiplyAdd(a15, m, c);
        }

        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15);
    }

    /// <summary>Eight accumulators (AVX2 has sixteen registers in all), twice the rounds of sixteen.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static double Fma8<TV, W>(long rounds)
        where TV : struct
        where W : FastLogReg.Numerics.ISimdDouble<TV>
    {
        TV m = W.Create(0.9999999), c = W.Create(1e-9);
        TV a0 = W.Create(0.1), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (long i = 0; i < rounds * 2; i++)
        {
            a0 = W.MultiplyAdd(a0, m, c);
            a1 = W.MultiplyAdd(a1, m, c);
            a2 = W.MultiplyAdd(a2, m, c);
            a3 = W.MultiplyAdd(a3, m, c);
            a4 = W.MultiplyAdd(a4, m, c);
            a5 = W.MultiplyAdd(a5, m, c);
            a6 = W.MultiplyAdd(a6, m, c);
            a7 = W.MultiplyAdd(a7, m, c);
        }

        return W.Sum(W.Add(W.Add(W.Add(a0, a1), W.Add(a2, a3)), W.Add(W.Add(a4, a5), W.Add(a6, a7))));
    }

    /// <summary>The fused multinomial epoch: K scores, softmax, loss and the K × d gradient in one pass over X.</summary>
    public double MultinomialEpoch() => Multinomial.Evaluate(Point, Gradient);

    /// <summary>The fused one-vs-rest epoch: K sigmoids per row, all K gradients in one pass over X.</summary>
    public double OneVsRestEpoch() => OneVsRest.Evaluate(Point, Gradient);

    /// <summary>One multinomial epoch with float products and double sums.</summary>
    public double MultinomialFloatEpoch() => MultinomialFloat.Evaluate(Point, Gradient);

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
