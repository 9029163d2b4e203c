using System.Diagnostics;
using System.Globalization;
using FastLogReg.Data;
using FastLogReg.Training;

namespace FastLogReg.Benchmarks;

/// <summary>
/// <c>--l1-iterations data[+std] …</c>: one lasso fit per λ (1/n, and 10⁻², 10⁻³, 10⁻⁴ of λ_max) by OWL-QN, coordinate
/// descent and <see cref="Solver.Auto"/> — iterations, passes and the mean time of repeated warm fits (Stopwatch, ≥ 0.3 s
/// each) at the default tolerance; "+std" sets <c>Standardize</c>. The evidence for Auto's OWL-QN allowance
/// (<see cref="LogisticRegression.AutoOwlQnIterations"/>). Prints a markdown table.
/// </summary>
internal static class L1IterationsProbe
{
    public static int Run(string[] names)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine("| data | λ/λ_max | OWL-QN: iterations, passes, time | coordinate descent | Auto (solver that finished) |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (string name in names)
        {
            bool standardize = name.EndsWith("+std", StringComparison.Ordinal);
            DenseDataset<float> data = IllConditioned.Load(standardize ? name[..^4] : name);
            var basic = new TrainingOptions { L1Ratio = 1, MaxDegreeOfParallelism = 2, Standardize = standardize, MaxIterations = 200_000 };
            double lambdaMax = RegularizationPath.Compute(data, basic, new PathOptions { Count = 1 }).LambdaMax;
            foreach (double lambda in new[] { TrainingOptions.L2FromScikitLearnC(1.0, data.Rows), lambdaMax * 1e-2, lambdaMax * 1e-3, lambdaMax * 1e-4 })
            {
                string line = string.Format(c, "| {0} | {1:E1} |", name, lambda / lambdaMax);
                foreach (Solver solver in new[] { Solver.OwlQn, Solver.CoordinateDescent, Solver.Auto })
                {
                    TrainingOptions options = basic with { Lambda = lambda, Solver = solver };
                    for (int w = 0; w < 3; w++)
                    {
                        LogisticRegression.Train(data, options);
                    }

                    var clock = Stopwatch.StartNew();
                    int repeats = 0;
                    TrainingResult result;
                    do
                    {
                        result = LogisticRegression.Train(data, options);
                        repeats++;
                    }
                    while (clock.Elapsed.TotalMilliseconds < 300);

                    string finished = solver == Solver.Auto ? string.Format(c, " ({0})", result.Report.Solver) : string.Empty;
                    line += string.Format(c, " {0}, {1:F0}, {2:F2} ms{3} |", result.Report.Iterations, result.Report.DataPasses, clock.Elapsed.TotalMilliseconds / repeats, finished);
                }

                Console.WriteLine(line);
            }
        }

        return 0;
    }
}
