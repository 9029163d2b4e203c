using System.Diagnostics;
using System.Globalization;
using FastLogReg.Data;
using FastLogReg.Objective;

namespace FastLogReg.Benchmarks;

/// <summary>
/// <c>--newton-parts [NAME] [THREADS]</c>: what one K-class trust-region Newton iteration's parts cost on
/// <c>MultinomialObjective</c> (IllConditioned's names; default raw correlated 20,000 × 100 × 10), medians of 21 after 2 s of warm-up each:
/// an evaluation, the curvature at a new point (probabilities and the diagonal, after an evaluation), a Hessian-vector product.
/// </summary>
internal static class NewtonPartsProbe
{
    public static int Run(string[] args)
    {
        var c = CultureInfo.InvariantCulture;
        string name = args.Length > 0 ? args[0] : "correlated-classes-20000x100x10";
        int? threads = args.Length > 1 ? int.Parse(args[1], c) : null;
        DenseDataset<float> data = IllConditioned.Load(name);
        var objective = new MultinomialObjective<float>(data, Penalty.L2(1.0 / data.Rows), maxDegreeOfParallelism: threads);
        int n = objective.Dimension;
        double[] point = Enumerable.Range(0, n).Select(i => 0.01 * Math.Sin(i)).ToArray();
        double[] gradient = new double[n], diagonal = new double[n], product = new double[n];
        double evaluate = Median(() => objective.Evaluate(point, gradient));
        double both = Median(() =>
        {
            objective.Evaluate(point, gradient);
            objective.TryGetPreconditioner(diagonal);
        });
        objective.Evaluate(point, gradient);
        objective.TryGetPreconditioner(diagonal);
        double hv = Median(() => objective.HessianVector(gradient, product));
        // The curvature pass alone, chunk by chunk on this thread: probabilities only, and with the diagonal's sums.
        var layout = objective.Layout;
        int k = data.ClassCount, d = data.Columns, rows = data.Rows;
        double[] raw = new double[k * d], biases = new double[k], scores = new double[k * rows];
        double[] slot = new double[SoftmaxCurvature.SlotLength(k, d)];
        objective.ToRaw(point, raw, biases);
        double[] classWeights = Enumerable.Repeat(1.0, k).ToArray();
        double Pass(bool sums) => Median(() =>
        {
            for (int chunk = 0; chunk < layout.Partition.ChunkCount; chunk++)
            {
                (int start, int count) = layout.Partition[chunk];
                layout.SoftmaxCurvature(start, count, raw, biases, classWeights, false, scores, rows, sums ? slot : default);
            }
        });
        Console.WriteLine(string.Format(c, "  curvature pass: probabilities {0:F3} ms, with the diagonal's sums {1:F3} ms", Pass(false), Pass(true)));
        Console.WriteLine(string.Format(c, "{0}: {1} × {2}, K = {3}: evaluation {4:F3} ms, curvature at a new point (probabilities + diagonal) {5:F3} ms, Hessian-vector product {6:F3} ms", name, data.Rows, data.Columns, data.ClassCount, evaluate, both - evaluate, hv));
        return 0;
    }

    private static double Median(Action action)
    {
        Calibration.WarmUp(() => { action(); return null; }); // past tier-0 code
        double[] times = new double[21];
        for (int r = 0; r < times.Length; r++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times[r] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        return times[times.Length / 2];
    }
}
