using System.Globalization;
using System.Text;
using FastLogReg.Data;
using FastLogReg.Training;

namespace FastLogReg.Benchmarks;

/// <summary>
/// The L1 solvers against each other — OWL-QN (all cores) and newGLMNET coordinate descent (one thread, a column copy)
/// — to within 10⁻⁶ of the optimum (λ = 1/n, the lasso), on the ill-conditioned and well-conditioned shapes: the
/// loosest tolerance reaching the gap, passes, the median of three timed fits. The optimum is the lower of both solvers
/// at tight tolerances. Plain Stopwatch timing; the evidence for <see cref="Solver.Auto"/>'s L1 rule. Run with
/// <c>--l1-survey [output.md [data set …]]</c>.
/// </summary>
internal static class L1Survey
{
    private static readonly string[] DataSets = ["breast-cancer-raw", "correlated-20000x100", "correlated-200000x30", "digits-3v8-raw", "breast-cancer", "20000x100"];

    public static int Run(string? output, string[]? only = null)
    {
        var c = CultureInfo.InvariantCulture;
        var table = new StringBuilder();
        table.AppendLine("| data | solver | setting | iterations | passes | gap reached | median time |");
        table.AppendLine("|---|---|---|---:|---:|---:|---:|");
        foreach (string name in only ?? DataSets)
        {
            DenseDataset<float> data = IllConditioned.Load(name);
            double lambda = TrainingOptions.L2FromScikitLearnC(1.0, data.Rows);
            var tight = new TrainingOptions { Lambda = lambda, L1Ratio = 1, MaxDegreeOfParallelism = 2 };
            using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            double reference = Math.Min(
                LogisticRegression.Train(data, tight with { Solver = Solver.OwlQn, Tolerance = 1e-12, MaxIterations = 200_000 }, budget.Token).Report.FinalObjective,
                LogisticRegression.Train(data, tight with { Solver = Solver.CoordinateDescent, Tolerance = 1e-12, MaxIterations = 200_000 }).Report.FinalObjective);
            foreach (Solver solver in new[] { Solver.OwlQn, Solver.CoordinateDescent })
            {
                Calibration calibration = Calibration.Run(data, lambda, reference, solver, threads: 2, TimeSpan.FromSeconds(60), 1e-6, l1Ratio: 1);
                Calibration.WarmUp(() => LogisticRegression.Train(data, calibration.Options));
                double median = Calibration.MedianMilliseconds(() => LogisticRegression.Train(data, calibration.Options), 3);
                string row = string.Format(c, "| {0} | {1} | {2} | {3} | {4:G4} | {5:E1}{6} | {7:F1} ms |", name, solver, calibration.Setting, calibration.Iterations, calibration.Passes, calibration.Gap, calibration.Reached ? string.Empty : " (not reached)", median);
                Console.WriteLine(row);
                table.AppendLine(row);
            }
        }

        if (output is not null)
        {
            File.WriteAllText(output, table.ToString());
        }

        return 0;
    }
}
