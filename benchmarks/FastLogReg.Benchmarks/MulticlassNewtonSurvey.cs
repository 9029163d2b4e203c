using System.Globalization;
using System.Text;
using FastLogReg.Data;
using FastLogReg.Training;

namespace FastLogReg.Benchmarks;

/// <summary>
/// K-class exact and trust-region Newton against L-BFGS on the bundled digits (1,797 × 64, 10 classes, C = 1, two threads), raw and
/// standardized, multinomial and one-vs-rest: the loosest tolerance within 10⁻⁸ of the optimum (exact Newton at 10⁻¹⁴),
/// its iterations and passes, the median of seven timed fits. Plain Stopwatch timing. Run with
/// <c>--multiclass-newton-survey [output.md]</c>.
/// </summary>
internal static class MulticlassNewtonSurvey
{
    public static int Run(string? output)
    {
        var c = CultureInfo.InvariantCulture;
        DenseDataset<float> data = IllConditioned.DigitsRaw();
        double l2 = TrainingOptions.L2FromScikitLearnC(1.0, data.Rows);
        var table = new StringBuilder();
        table.AppendLine("| data | kind | solver | setting | iterations | passes | median time |");
        table.AppendLine("|---|---|---|---|---:|---:|---:|");
        foreach (bool standardize in new[] { false, true })
        {
            foreach (MultiClass kind in new[] { MultiClass.Multinomial, MultiClass.OneVsRest })
            {
                var tight = new TrainingOptions { Solver = Solver.NewtonCholesky, L2 = l2, MultiClass = kind, Standardize = standardize, Tolerance = 1e-14, MaxIterations = 200 };
                double reference = LogisticRegression.Train(data, tight).Report.FinalObjective;
                foreach (Solver solver in new[] { Solver.Lbfgs, Solver.NewtonCholesky, Solver.Newton })
                {
                    TrainingOptions? chosen = null;
                    TrainingReport? report = null;
                    for (int e = 3; e <= 14 && chosen is null; e++)
                    {
                        var options = tight with { Solver = solver, Tolerance = Math.Pow(10, -e), MaxIterations = 1_000_000, MaxDegreeOfParallelism = 2 };
                        TrainingReport r = LogisticRegression.Train(data, options).Report;
                        if ((r.FinalObjective - reference) / reference <= 1e-8)
                        {
                            (chosen, report) = (options, r);
                        }
                    }

                    double median = Calibration.MedianMilliseconds(() => LogisticRegression.Train(data, chosen!), 7);
                    string row = string.Format(c, "| digits, {0} | {1} | {2} | Tolerance={3:E0} | {4} | {5:G4} | {6:F1} ms |", standardize ? "standardized" : "raw", kind, solver, chosen!.Tolerance, report!.Iterations, report.DataPasses, median);
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
