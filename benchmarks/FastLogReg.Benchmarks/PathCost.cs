using System.Globalization;
using FastLogReg.Data;
using FastLogReg.Training;

namespace FastLogReg.Benchmarks;

/// <summary>
/// The cost of the regularization path against one fit at its smallest λ (<c>--path-cost [output.md|-] [data,…] [solver,…] [l1-ratio]</c>): the default
/// 100-point lasso path (or elastic net / ridge with an L1 ratio below 1) (λ_min = 10⁻⁴ λ_max), warm-started, against a cold fit at λ_min, each with the default L1 solver
/// and tolerance 10⁻⁶; medians of five runs (31 for a path under 50 ms) after a warm-up (one run when a path takes more than the 2-s warm-up) (Stopwatch: a whole-call ratio measured in one process, both warm).
/// </summary>
internal static class PathCost
{
    private static readonly string[] DataSets = ["breast-cancer", "breast-cancer-raw", "digits-3v8-raw", "20000x100"];

    public static int Run(string? output, string? names = null, string? solvers = null, double l1Ratio = 1)
    {
        var c = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            "| data | solver | path: 100 λ | passes | one fit at λ_min | passes | path / fit |",
            "|---|---|---:|---:|---:|---:|---:|",
        };
        foreach (string name in names?.Split(',') ?? DataSets)
        {
            DenseDataset<float> data = IllConditioned.Load(name);
            foreach (Solver solver in solvers?.Split(',').Select(Enum.Parse<Solver>) ?? [Solver.CoordinateDescent, Solver.OwlQn])
            {
                var options = new TrainingOptions { L1Ratio = l1Ratio, Lambda = 1, Solver = solver, MaxDegreeOfParallelism = 2, MaxIterations = 100_000 };
                var first = System.Diagnostics.Stopwatch.StartNew();
                RegularizationPath path = RegularizationPath.Compute(data, options);
                bool slow = first.Elapsed > Calibration.WarmUpTime; // a path of seconds: compiled by now; one timed run each
                double lambdaMin = path.Points[^1].Lambda;
                TrainingOptions single = options with { Lambda = lambdaMin };
                double pathPasses = path.Points.Sum(p => p.DataPasses);
                double fitPasses = LogisticRegression.Train(data, single).Report.DataPasses;
                if (!slow)
                {
                    Calibration.WarmUp(() => RegularizationPath.Compute(data, options));
                }

                double pathTime = Calibration.MedianMilliseconds(() => RegularizationPath.Compute(data, options), slow ? 1 : Repeats(first.Elapsed));
                if (!slow)
                {
                    Calibration.WarmUp(() => LogisticRegression.Train(data, single));
                }

                double fitTime = Calibration.MedianMilliseconds(() => LogisticRegression.Train(data, single), slow ? 1 : Repeats(first.Elapsed));
                long allocated = GC.GetTotalAllocatedBytes(precise: true);
                LogisticRegression.Train(data, single);
                long fitBytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
                allocated = GC.GetTotalAllocatedBytes(precise: true);
                RegularizationPath.Compute(data, options);
                long pathBytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
                Console.Error.WriteLine(string.Format(c, "{0} {1}: path allocates {2:N0} bytes, one fit {3:N0}", name, solver, pathBytes, fitBytes));
                string line = string.Format(c, "| {0} | {1} | {2:G3} ms | {3:F0} | {4:G3} ms | {5:F0} | {6:F2} |", name, solver, pathTime, pathPasses, fitTime, fitPasses, pathTime / fitTime);
                Console.WriteLine(line);
                lines.Add(line);
            }
        }

        if (output is not null and not "-")
        {
            File.WriteAllLines(output, lines);
        }

        return 0;
    }

    /// <summary>Medians of 5 runs, of 31 when the path takes under 50 ms (a 0.1-ms fit's median of five moved its ratio by ±20%).</summary>
    private static int Repeats(TimeSpan firstPath) => firstPath.TotalMilliseconds < 50 ? 31 : 5;

    /// <summary>
    /// One path, point by point (<c>--path-points data solver [repeats] [l1-ratio]</c>): λ/λ_max, non-zeros, iterations, passes and the stop
    /// reason — where a path's passes go.
    /// </summary>
    public static int Points(string name, Solver solver, int repeats = 1, double l1Ratio = 1)
    {
        DenseDataset<float> data = IllConditioned.Load(name);
        var options = new TrainingOptions { L1Ratio = l1Ratio, Lambda = 1, Solver = solver, MaxDegreeOfParallelism = 2, MaxIterations = 100_000 };
        RegularizationPath path = RegularizationPath.Compute(data, options);
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        path = RegularizationPath.Compute(data, options);
        double milliseconds = clock.Elapsed.TotalMilliseconds;
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        for (int r = 2; r < repeats; r++)
        {
            path = RegularizationPath.Compute(data, options); // for a profiler
        }

        var c = CultureInfo.InvariantCulture;
        Console.WriteLine("k\tλ/λmax\tnonzeros\titerations\tpasses\tstop");
        for (int k = 0; k < path.Points.Count; k++)
        {
            PathPoint p = path.Points[k];
            Console.WriteLine(string.Format(c, "{0}\t{1:E2}\t{2}\t{3}\t{4:F1}\t{5}", k, p.Lambda / path.LambdaMax, p.NonZeroWeights, p.Iterations, p.DataPasses, p.StopReason));
        }

        Console.WriteLine(string.Format(c, "total passes {0:F0}; the second path {1:F1} ms, {2:N0} bytes allocated", path.Points.Sum(p => p.DataPasses), milliseconds, allocated));
        return 0;
    }
}
