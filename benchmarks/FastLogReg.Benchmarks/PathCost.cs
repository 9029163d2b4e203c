using System.Globalization;
using FastLogReg.Data;
using FastLogReg.Training;

namespace FastLogReg.Benchmarks;

/// <summary>
/// The cost of the regularization path against one fit at its smallest λ (<c>--path-cost [output.md]</c>): the default
/// 100-point lasso path (λ_min = 10⁻⁴ λ_max), warm-started, against a cold fit at λ_min, each with the default L1 solver
/// and tolerance 10⁻⁶; medians of five runs (Stopwatch: a whole-call ratio measured in one process, both warm).
/// </summary>
internal static class PathCost
{
    private static readonly string[] DataSets = ["breast-cancer", "breast-cancer-raw", "digits-3v8-raw", "20000x100"];

    public static int Run(string? output)
    {
        var c = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            "| data | solver | path: 100 λ | passes | one fit at λ_min | passes | path / fit |",
            "|---|---|---:|---:|---:|---:|---:|",
        };
        foreach (string name in DataSets)
        {
            DenseDataset<float> data = IllConditioned.Load(name);
            foreach (Solver solver in new[] { Solver.CoordinateDescent, Solver.OwlQn })
            {
                var options = new TrainingOptions { L1Ratio = 1, Lambda = 1, Solver = solver, MaxDegreeOfParallelism = 2, MaxIterations = 100_000 };
                RegularizationPath path = RegularizationPath.Compute(data, options);
                double lambdaMin = path.Points[^1].Lambda;
                TrainingOptions single = options with { Lambda = lambdaMin };
                double pathPasses = path.Points.Sum(p => p.DataPasses);
                double fitPasses = LogisticRegression.Train(data, single).Report.DataPasses;
                double pathTime = Calibration.MedianMilliseconds(() => RegularizationPath.Compute(data, options), 5);
                double fitTime = Calibration.MedianMilliseconds(() => LogisticRegression.Train(data, single), 5);
                string line = string.Format(c, "| {0} | {1} | {2:F1} ms | {3:F0} | {4:F1} ms | {5:F0} | {6:F2} |", name, solver, pathTime, pathPasses, fitTime, fitPasses, pathTime / fitTime);
                Console.WriteLine(line);
                lines.Add(line);
            }
        }

        if (output is not null)
        {
            File.WriteAllLines(output, lines);
        }

        return 0;
    }
}
