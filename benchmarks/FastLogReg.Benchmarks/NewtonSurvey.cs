using System.Globalization;
using System.Text;
using FastLogReg.Data;
using FastLogReg.Training;

namespace FastLogReg.Benchmarks;

/// <summary>
/// Newton against L-BFGS (and OWL-QN for L1), to a gap of 10⁻⁸ (and 10⁻⁶) of the optimum, C = 1, two threads, on the
/// ill-conditioned shapes (<see cref="IllConditioned"/>) and the well-conditioned suite: the loosest tolerance that
/// reaches the gap, its passes over the data and iterations, the median wall time of three runs. The reference optimum
/// is the lowest of L-BFGS at 10⁻¹² (at most 20,000 iterations), Newton and Newton-Cholesky at 10⁻¹⁴. Plain Stopwatch timing (this is a survey of passes; the
/// BenchmarkDotNet runs are the time comparisons). Run with <c>--newton-survey [output.md [data set …]]</c>.
/// </summary>
internal static class NewtonSurvey
{
    private static readonly string[] DataSets = ["breast-cancer-raw", "digits-3v8-raw", "correlated-20000x100", "correlated-200000x30", "correlated-50000x500", "breast-cancer", "20000x100", "1000000x100"];

    /// <summary>Runs the survey on every data set, or on <paramref name="only"/>.</summary>
    public static int Run(string? output, string[]? only = null)
    {
        var c = CultureInfo.InvariantCulture;
        var table = new StringBuilder();
        table.AppendLine("| data | target gap | solver | setting | iterations | passes | gap reached | median time |");
        table.AppendLine("|---|---:|---|---|---:|---:|---:|---:|");
        foreach (string name in only ?? DataSets)
        {
            DenseDataset<float> data = IllConditioned.Load(name);
            double l2 = TrainingOptions.L2FromScikitLearnC(1.0, data.Rows);
            double reference = Math.Min(
                LogisticRegression.Train(data, new TrainingOptions { L2 = l2, Tolerance = 1e-12, MaxIterations = 20_000 }).Report.FinalObjective,
                Math.Min(
                    LogisticRegression.Train(data, new TrainingOptions { Solver = Solver.Newton, L2 = l2, Tolerance = 1e-14, MaxIterations = 10_000 }).Report.FinalObjective,
                    LogisticRegression.Train(data, new TrainingOptions { Solver = Solver.NewtonCholesky, L2 = l2, Tolerance = 1e-14, MaxIterations = 200 }).Report.FinalObjective));
            foreach (double target in new[] { 1e-6, 1e-8 })
            {
                foreach (Solver solver in new[] { Solver.Lbfgs, Solver.Newton, Solver.NewtonCholesky })
                {
                    Calibration calibration = Calibration.Run(data, l2, reference, solver, threads: 2, TimeSpan.FromSeconds(60), target);
                    double median = Calibration.MedianMilliseconds(() => LogisticRegression.Train(data, calibration.Options), 3);
                    string row = string.Format(c, "| {0} | {1:E0} | {2} | {3} | {4} | {5:G4} | {6:E1}{7} | {8:F1} ms |", name, target, solver, calibration.Setting, calibration.Iterations, calibration.Passes, calibration.Gap, calibration.Reached ? string.Empty : " (not reached)", median);
                    Console.WriteLine(row);
                    table.AppendLine(row);
                }
            }
        }

        if (output is not null)
        {
            File.WriteAllText(output, table.ToString());
        }

        return 0;
    }
}
