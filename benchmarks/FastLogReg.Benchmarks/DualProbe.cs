using System.Diagnostics;
using System.Globalization;
using System.Text;
using FastLogReg.Optimization;
using FastLogReg.Training;

namespace FastLogReg.Benchmarks;

/// <summary>
/// Probes for dual coordinate descent on the synthetic text shapes (<see cref="SparseWorkload"/>):
/// <c>--dual-probe export SHAPE FILE</c> writes the rows as LIBSVM text (labels ±1, values round-tripping the floats) for
/// LIBLINEAR's <c>train -s 7</c>; <c>--dual-probe floor SHAPE [THREADS]</c> times the memory floor of one sweep — a dot product and
/// a scatter along every row, in a random and in the stored order, with no dual step — against real sweeps (one-sweep
/// fits); <c>--dual-probe objective SHAPE MODEL</c> scores a LIBLINEAR model file (no bias) in LIBLINEAR's scale,
/// ½‖w‖² + Σ log(1 + e^(−y·wᵀx)) at C = 1.
/// </summary>
internal static class DualProbe
{
    public static int Run(string[] args)
    {
        var c = CultureInfo.InvariantCulture;
        int[] parts = args[1].Split('x').Select(int.Parse).ToArray();
        var work = new SparseWorkload(parts[0], parts[1], parts[2], threads: 2);
        switch (args[0])
        {
            case "export":
                Export(work, args[2]);
                return 0;
            case "floor":
                Floor(work, args.Length > 2 ? int.Parse(args[2], c) : 2);
                return 0;
            case "objective":
                Console.WriteLine(string.Format(c, "objective {0:R}", LibLinearObjective(work, args[2])));
                return 0;
            default:
                Console.Error.WriteLine("--dual-probe export|floor|objective SHAPE [FILE]");
                return 2;
        }
    }

    private static void Export(SparseWorkload work, string path)
    {
        var c = CultureInfo.InvariantCulture;
        using var writer = new StreamWriter(path);
        ReadOnlySpan<float> y = work.Data.Labels.Span;
        var line = new StringBuilder();
        for (int i = 0; i < work.Data.Rows; i++)
        {
            line.Clear().Append(y[i] == 1 ? "+1" : "-1");
            Data.SparseRow<float> row = work.Matrix.GetRow(i);
            for (int k = 0; k < row.Indices.Length; k++)
            {
                line.Append(' ').Append((row.Indices[k] + 1).ToString(c)).Append(':').Append(row.Values[k].ToString("R", c));
            }

            writer.WriteLine(line.ToString());
        }
    }

    private static void Floor(SparseWorkload work, int threads)
    {
        var c = CultureInfo.InvariantCulture;
        int n = work.Data.Rows;
        double[] u = new double[work.Data.Columns];
        int[] order = Enumerable.Range(0, n).ToArray();
        int[] shuffled = (int[])order.Clone();
        var random = new Random(1);
        double Sweep(int[] rows)
        {
            var clock = Stopwatch.StartNew();
            double total = 0;
            foreach (int i in rows)
            {
                Data.SparseRow<float> row = work.Matrix.GetRow(i);
                double dot = 0;
                for (int k = 0; k < row.Indices.Length; k++)
                {
                    dot += u[row.Indices[k]] * row.Values[k];
                }

                double delta = 1e-9 * (1 - (dot * 1e-3));
                for (int k = 0; k < row.Indices.Length; k++)
                {
                    u[row.Indices[k]] += delta * row.Values[k];
                }

                total += dot;
            }

            GC.KeepAlive(total);
            return clock.Elapsed.TotalMilliseconds;
        }

        var randomTimes = new List<double>();
        var storedTimes = new List<double>();
        for (int k = 0; k < 7; k++)
        {
            random.Shuffle(shuffled);
            randomTimes.Add(Sweep(shuffled));
            storedTimes.Add(Sweep(order));
        }

        // Real sweeps: the time between a fit's progress reports (each a sweep, with the last sweep's evaluation overlapped).
        double l2 = TrainingOptions.L2FromScikitLearnC(1.0, n);
        var stamps = new List<double>();
        var options = new TrainingOptions { Solver = Solver.DualCoordinateDescent, Lambda = l2, MaxIterations = 12, MaxDegreeOfParallelism = threads, Progress = new Stamps(stamps) };
        LogisticRegression.Train(work.Data, options);
        var fits = stamps.Skip(2).Zip(stamps.Skip(3), (a, b) => b - a).ToList();
        static double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
        Console.WriteLine(string.Format(c, "{0} rows, {1} non-zeros: bare gather + scatter per sweep, random order {2:F1} ms, stored order {3:F1} ms; a dual sweep {4:F1} ms (medians; the sweeps between reports 3 and 12 of a fit)", n, work.Matrix.NonZeros, Median(randomTimes), Median(storedTimes), Median(fits)));
    }

    private sealed class Stamps(List<double> into) : IProgress<IterationProgress>
    {
        public void Report(IterationProgress value) => into.Add(value.Elapsed.TotalMilliseconds);
    }

    private static double LibLinearObjective(SparseWorkload work, string modelPath)
    {
        string[] lines = File.ReadAllLines(modelPath);
        int start = Array.IndexOf(lines, "w") + 1;
        double[] w = lines.Skip(start).Take(work.Data.Columns).Select(l => double.Parse(l.Trim(), CultureInfo.InvariantCulture)).ToArray();
        ReadOnlySpan<float> labels = work.Data.Labels.Span;
        double f = 0.5 * w.Sum(v => v * v);
        for (int i = 0; i < work.Data.Rows; i++)
        {
            Data.SparseRow<float> row = work.Matrix.GetRow(i);
            double z = 0;
            for (int k = 0; k < row.Indices.Length; k++)
            {
                z += w[row.Indices[k]] * row.Values[k];
            }

            double m = (labels[i] == 1 ? 1 : -1) * z;
            f += m > 0 ? Math.Log(1 + Math.Exp(-m)) : -m + Math.Log(1 + Math.Exp(m));
        }

        return f;
    }
}
