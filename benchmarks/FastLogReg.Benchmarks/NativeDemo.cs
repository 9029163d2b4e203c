using System.Diagnostics;
using System.Globalization;
using System.IO.MemoryMappedFiles;
using FastLogReg.Data;
using FastLogReg.Objective;
using FastLogReg.Training;

namespace FastLogReg.Benchmarks;

/// <summary>
/// Data of more than 2³¹ values (<c>--native-demo [rows] [columns]</c>; default 22,000,000 × 100 float = 2.2·10⁹ values,
/// 8.8 GB): an anonymous memory-mapped region the caller owns, filled in parallel, wrapped by
/// <c>DenseDataset.Create(SafeBuffer, …)</c>; one epoch (loss and gradient) timed three times, then an L-BFGS fit of
/// five iterations. Prints the times and the objective.
/// </summary>
internal static class NativeDemo
{
    public static int Run(string[] args)
    {
        var c = CultureInfo.InvariantCulture;
        long rows = args.Length > 0 ? long.Parse(args[0], c) : 22_000_000;
        int columns = args.Length > 1 ? int.Parse(args[1], c) : 100;
        long values = rows * columns;
        Console.WriteLine(string.Format(c, "{0:N0} rows × {1} columns = {2:N0} values ({3:F1} GB of float; 2^31 = {4:N0})", rows, columns, values, values * 4 / 1e9, 1L << 31));
        var clock = Stopwatch.StartNew();
        using MemoryMappedFile map = MemoryMappedFile.CreateNew(null, values * sizeof(float));
        using MemoryMappedViewAccessor view = map.CreateViewAccessor(0, values * sizeof(float));
        float[] labels = new float[rows];
        unsafe
        {
            byte* start = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
            try
            {
                float* x = (float*)start;
                Parallel.For(0L, rows, i =>
                {
                    double z = 0.1;
                    for (int j = 0; j < columns; j++)
                    {
                        float v = (float)((((i * 7919) + (j * 104729)) % 2001) / 1000.0) - 1f;
                        x[(i * columns) + j] = v;
                        z += ((j % 7) - 3) / 4.0 * v;
                    }

                    labels[i] = (((i * 2654435761L) >> 7) % 1000) / 1000.0 < 1 / (1 + Math.Exp(-z)) ? 1 : 0;
                });
            }
            finally
            {
                view.SafeMemoryMappedViewHandle.ReleasePointer();
            }
        }

        Console.WriteLine(string.Format(c, "filled in {0:F1} s", clock.Elapsed.TotalSeconds));
        DenseDataset<float> data = DenseDataset.Create<float>(view.SafeMemoryMappedViewHandle, labels, columns);
        var objective = new LogisticObjective<float>(data, l2: 1.0 / rows, fitIntercept: true, maxDegreeOfParallelism: null);
        double[] point = new double[columns + 1], gradient = new double[columns + 1];
        for (int k = 0; k < 3; k++)
        {
            clock.Restart();
            double f = objective.Evaluate(point, gradient);
            Console.WriteLine(string.Format(c, "epoch {0}: {1:F0} ms ({2:F2} GB/s), loss {3:R}", k, clock.Elapsed.TotalMilliseconds, values * 4 / clock.Elapsed.TotalSeconds / 1e9, f));
        }

        clock.Restart();
        TrainingResult fit = LogisticRegression.Train(data, new TrainingOptions { L2 = 1.0 / rows, MaxIterations = 5 });
        Console.WriteLine(string.Format(c, "L-BFGS, 5 iterations: {0:F1} s, {1} passes, objective {2:R}, stop {3}", clock.Elapsed.TotalSeconds, fit.Report.DataPasses, fit.Report.FinalObjective, fit.Report.StopReason));
        return 0;
    }
}
