using System.Globalization;
using System.Text;
using FastLogReg.Data;
using FastLogReg.Optimization;
using FastLogReg.Training;

namespace FastLogReg.Benchmarks;

/// <summary>
/// FastLogReg's half of <c>scripts/compare_liblinear.py</c> (run by hand, not in CI). <c>--export-libsvm DIR</c> writes
/// the benchmark shapes as LIBSVM text whose values are the float data exactly (each written as its double, whose
/// shortest round-trip decimal LIBLINEAR parses back to the same value — the float's own shortest decimal, read as a
/// double, is a different number: the problems differed by ~10⁻⁹ of the objective); <c>--match-objective NAME
/// L1RATIO C TARGET THREADS</c> finds the loosest tolerance of the grid 10^(−e/4), e = 4 … 56 (LIBLINEAR's eps is a
/// knob too; a grid of powers of ten overshot the target up to tenfold) at which FastLogReg (no intercept, as LIBLINEAR with
/// <c>-B -1</c>; λ = 1/(C·n), so its objective is LIBLINEAR's divided by C·n) reaches an objective ≤ TARGET, then
/// prints one JSON line with that setting's median time of 31 fits (five for fits over 50 ms), its objective, iterations and passes.
/// </summary>
internal static class LibLinearComparison
{
    // Not the correlated 50,000 × 500 shape: L-BFGS calibrating to LIBLINEAR's objective there runs for hours (see the Newton survey).
    public static readonly string[] Shapes = ["breast-cancer-raw", "digits-3v8-raw", "breast-cancer", "20000x100"];

    public static int Export(string directory)
    {
        Directory.CreateDirectory(directory);
        var c = CultureInfo.InvariantCulture;
        foreach (string name in Shapes)
        {
            DenseDataset<float> data = IllConditioned.Load(name);
            var text = new StringBuilder();
            ReadOnlySpan<float> x = data.Features.Span;
            ReadOnlySpan<float> y = data.Labels.Span;
            for (int i = 0; i < data.Rows; i++)
            {
                text.Append(y[i] == 1 ? "+1" : "-1");
                for (int j = 0; j < data.Columns; j++)
                {
                    float v = x[(i * data.Columns) + j];
                    if (v != 0)
                    {
                        text.Append(' ').Append((j + 1).ToString(c)).Append(':').Append(((double)v).ToString("R", c));
                    }
                }

                text.Append('\n');
            }

            string path = Path.Combine(directory, name + ".libsvm");
            File.WriteAllText(path, text.ToString());
            Console.WriteLine(string.Format(c, "{0}\t{1}\t{2}", path, data.Rows, data.Columns));
        }

        return 0;
    }

    /// <summary>LIBLINEAR's problem in FastLogReg's terms: no intercept (<c>-B -1</c>), λ = 1/(C·n), iterations enough for any tolerance.</summary>
    private static TrainingOptions ComparisonOptions(DenseDataset<float> data, double l1Ratio, double cost, int threads) => new()
    {
        Lambda = 1.0 / (cost * data.Rows),
        L1Ratio = l1Ratio,
        FitIntercept = false,
        MaxIterations = 100_000,
        MaxDegreeOfParallelism = threads,
    };

    /// <summary>
    /// <c>--fit-loop NAME SOLVER L1RATIO C TOLERANCE THREADS SECONDS</c>: one setting of the comparison (no intercept,
    /// λ = 1/(C·n)) fitted over and over for SECONDS after a warm-up — a steady workload for <c>perf record</c> — then
    /// the median of 31 fits.
    /// </summary>
    public static int FitLoop(string[] args)
    {
        var c = CultureInfo.InvariantCulture;
        DenseDataset<float> data = IllConditioned.Load(args[0]);
        TrainingOptions options = ComparisonOptions(data, double.Parse(args[2], c), double.Parse(args[3], c), int.Parse(args[5], c))
            with { Solver = Enum.Parse<Solver>(args[1]), Tolerance = double.Parse(args[4], c) };
        TimeSpan seconds = TimeSpan.FromSeconds(double.Parse(args[6], c));
        Calibration.WarmUp(() => LogisticRegression.Train(data, options));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < seconds)
        {
            LogisticRegression.Train(data, options);
        }

        TrainingReport report = LogisticRegression.Train(data, options).Report;
        double median = Calibration.MedianMilliseconds(() => LogisticRegression.Train(data, options), 31);
        Console.WriteLine(string.Format(c, "{0} {1}: objective {2:R}, {3} iterations, {4:G4} passes, median {5:G4} ms", args[0], options.Solver, report.FinalObjective, report.Iterations, report.DataPasses, median));
        return 0;
    }

    /// <summary>
    /// <c>--trace NAME SOLVER L1RATIO C TOLERANCE INTERCEPT [RUNS]</c>: one fit (λ = 1/(C·n), the intercept fitted when
    /// INTERCEPT is 1), printing every iteration's objective, gradient norm and passes, then the report's line with the
    /// first fit's time and the median of RUNS more (default 5).
    /// </summary>
    public static int Trace(string[] args)
    {
        var c = CultureInfo.InvariantCulture;
        DenseDataset<float> data = IllConditioned.Load(args[0]);
        var progress = new ConsoleProgress();
        TrainingOptions options = ComparisonOptions(data, double.Parse(args[2], c), double.Parse(args[3], c), 1)
            with { Solver = Enum.Parse<Solver>(args[1]), Tolerance = double.Parse(args[4], c), FitIntercept = args[5] == "1", Progress = progress };
        TrainingReport report = LogisticRegression.Train(data, options).Report;
        double median = Calibration.MedianMilliseconds(() => LogisticRegression.Train(data, options with { Progress = null }), args.Length > 6 ? int.Parse(args[6], c) : 5);
        Console.WriteLine(string.Format(c, "{0} {1}: objective {2:R}, {3} iterations, {4:G6} passes, {5} non-zeros, {6}, first {7:G4} ms, median {8:G4} ms", args[0], report.Solver, report.FinalObjective, report.Iterations, report.DataPasses, report.NonZeroWeights, report.StopReason, report.Elapsed.TotalMilliseconds, median));
        return 0;
    }

    private sealed class ConsoleProgress : IProgress<IterationProgress>
    {
        public void Report(IterationProgress value) =>
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,6} {1:R} {2:E3} {3:G6}", value.Iteration, value.Objective, value.GradientNorm, value.DataPasses));
    }

    public static int MatchObjective(string[] args)
    {
        var c = CultureInfo.InvariantCulture;
        string name = args[0];
        double l1Ratio = double.Parse(args[1], c);
        double cost = double.Parse(args[2], c);
        double target = double.Parse(args[3], c);
        int threads = int.Parse(args[4], c);
        DenseDataset<float> data = IllConditioned.Load(name);
        TrainingOptions baseOptions = ComparisonOptions(data, l1Ratio, cost, threads);

        // Auto too: what a user gets without choosing (for L1 it may hand OWL-QN's start over to coordinate descent).
        string[] solvers = l1Ratio > 0 ? ["Auto", "CoordinateDescent", "OwlQn"] : ["Auto", "Newton", "NewtonCholesky", "Lbfgs"];
        var rows = new List<string>();
        foreach (string solverName in solvers)
        {
            TrainingOptions options = baseOptions with { Solver = Enum.Parse<Solver>(solverName) };
            TrainingResult? reached = null;
            double tolerance = 0;
            for (int e = 4; e <= 56 && reached is null; e++)
            {
                tolerance = Math.Pow(10, -e / 4.0);
                TrainingResult fit = LogisticRegression.Train(data, options with { Tolerance = tolerance });
                if (fit.Report.FinalObjective <= target)
                {
                    reached = fit;
                }
            }

            if (reached is null)
            {
                rows.Add(string.Format(c, "{{\"solver\":\"{0}\",\"reached\":false}}", solverName));
                continue;
            }

            Calibration.WarmUp(() => LogisticRegression.Train(data, options with { Tolerance = tolerance }));
            var once = System.Diagnostics.Stopwatch.StartNew();
            LogisticRegression.Train(data, options with { Tolerance = tolerance });
            int runs = once.Elapsed.TotalMilliseconds < 50 ? 31 : 5; // short fits vary more from run to run
            double median = Calibration.MedianMilliseconds(() => LogisticRegression.Train(data, options with { Tolerance = tolerance }), runs);
            rows.Add(string.Format(
                c,
                "{{\"solver\":\"{0}\",\"reached\":true,\"tolerance\":{1:R},\"objective\":{2:R},\"iterations\":{3},\"passes\":{4:R},\"nonzeros\":{5},\"median_ms\":{6:R}}}",
                solverName,
                tolerance,
                reached.Report.FinalObjective,
                reached.Report.Iterations,
                reached.Report.DataPasses,
                reached.Report.NonZeroWeights,
                median));
        }

        Console.WriteLine("[" + string.Join(",", rows) + "]");
        return 0;
    }
}
