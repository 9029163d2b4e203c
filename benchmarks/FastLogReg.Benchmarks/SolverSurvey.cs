using System.Globalization;
using System.Text;
using FastLogReg.Data;
using FastLogReg.Training;

namespace FastLogReg.Benchmarks;

/// <summary>
/// Every solver on every data set of <see cref="TimeToOptimumBenchmarks"/>: the loosest setting that reaches the target
/// (or the best within a 30 s budget), passes over the data, the gap to the reference objective, and the median wall
/// time of three runs with that setting. Plain Stopwatch timing — the BenchmarkDotNet run is the precise comparison
/// with ML.NET; this table shows what each solver costs. Run with <c>--survey [output.md|-] [data,…] [solver,…]</c>.
/// </summary>
internal static class SolverSurvey
{
    private static readonly string[] DataSets = ["breast-cancer", "20000x100", "1000000x100"];

    public static int Run(string? output, string[]? dataSets = null, Solver[]? solvers = null)
    {
        var c = CultureInfo.InvariantCulture;
        var table = new StringBuilder();
        table.AppendLine("| data | solver | setting | passes | gap to optimum | reached 1e-6 | median time |");
        table.AppendLine("|---|---|---|---:|---:|---|---:|");
        foreach (string name in dataSets ?? DataSets)
        {
            DenseDataset<float> data = TimeToOptimumBenchmarks.Load(name);
            double l2 = TrainingOptions.L2FromScikitLearnC(1.0, data.Rows);
            double reference = Calibration.Reference(data, l2);
            foreach (Solver solver in solvers ?? Enum.GetValues<Solver>())
            {
                Calibration calibration = Calibration.Run(data, l2, reference, solver, threads: 2, TimeSpan.FromSeconds(30));
                double median = Calibration.MedianMilliseconds(() => LogisticRegression.Train(data, calibration.Options), 3);
                string row = string.Format(c, "| {0} | {1} | {2} | {3:G4} | {4:E1} | {5} | {6:F1} ms |", name, solver, calibration.Setting, calibration.Passes, calibration.Gap, calibration.Reached ? "yes" : "no", median);
                Console.WriteLine(row);
                table.AppendLine(row);
            }
        }

        if (output is not null and not "-")
        {
            File.WriteAllText(output, table.ToString());
        }

        return 0;
    }
}
