using System.Diagnostics;
using System.Globalization;
using FastLogReg.Data;
using FastLogReg.Training;

namespace FastLogReg.Benchmarks;

/// <summary>
/// Finds the loosest setting with which a solver gets within a target gap (relative; default
/// <see cref="TimeToOptimumBenchmarks.Target"/>) of the reference objective: the tolerance tightened tenfold from 10⁻³, or for SGD the run lengthened threefold from
/// 3 epochs, until the target or the time budget is reached. The returned options stop at the same iteration count.
/// </summary>
internal sealed record Calibration(TrainingOptions Options, string Setting, double Gap, double Passes, int Iterations, double Target)
{
    public bool Reached => Gap <= Target;

    /// <summary>A tight reference objective: L-BFGS to a relative gradient tolerance of 10⁻¹² (OWL-QN for ρ &gt; 0), or Newton's (and for up to 1,000 features Newton-Cholesky's) at 10⁻¹⁴ where lower.</summary>
    public static double Reference(Dataset<float> data, double l2, double l1Ratio = 0)
    {
        var tight = new TrainingOptions { Lambda = l2, L1Ratio = l1Ratio, Tolerance = 1e-12, MaxIterations = 100_000 };
        double reference = LogisticRegression.Train(data, tight).Report.FinalObjective;
        if (l1Ratio > 0 || data.ClassCount > 2)
        {
            return reference;
        }

        reference = Math.Min(reference, LogisticRegression.Train(data, tight with { Solver = Solver.Newton, Tolerance = 1e-14, MaxIterations = 10_000 }).Report.FinalObjective);
        return data.Columns > 1000 ? reference : Math.Min(reference, LogisticRegression.Train(data, tight with { Solver = Solver.NewtonCholesky, Tolerance = 1e-14, MaxIterations = 200 }).Report.FinalObjective);
    }

    /// <summary>The median wall time of <paramref name="runs"/> calls of <paramref name="run"/> (an odd count), in milliseconds.</summary>
    /// <summary>
    /// Runs the measured call until the process has compiled it at its final tier: at least <see cref="WarmUpTime"/>
    /// and three calls. BenchmarkDotNet's Monitoring jobs time a handful of single calls right after the setup — a setup
    /// that calibrated (and compiled) other code, which keeps the runtime's tier-up waiting: without this, fits of a
    /// few milliseconds were timed in tier-0 code, 2–20× slower (both libraries; measured 2026-12-05).
    /// </summary>
    public static void WarmUp(Func<object?> run)
    {
        var clock = Stopwatch.StartNew();
        for (int k = 0; k < 3 || clock.Elapsed < WarmUpTime; k++)
        {
            run();
        }
    }

    /// <summary>How long <see cref="WarmUp"/> runs at least.</summary>
    public static readonly TimeSpan WarmUpTime = TimeSpan.FromSeconds(2);

    public static double MedianMilliseconds(Func<object?> run, int runs)
    {
        double[] times = new double[runs];
        for (int k = 0; k < runs; k++)
        {
            var clock = Stopwatch.StartNew();
            run();
            times[k] = clock.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        return times[runs / 2];
    }

    /// <summary>The quarter-decade steps that <c>refine</c> tries between the first tolerance that reached the target and the tenfold looser one that did not, loosest first.</summary>
    private static readonly double[] RefineSteps = [Math.Pow(10, 0.75), Math.Pow(10, 0.5), Math.Pow(10, 0.25)];

    /// <param name="refine">
    /// Once a tolerance t reaches the target (and 10t did not), also try t·10^¾, t·10^½ and t·10^¼, loosest first, and keep
    /// the first that reaches it: a tenfold grid can overshoot the target gap a hundredfold. <see cref="MlNetTolerance"/>
    /// takes the same flag, so both libraries are calibrated on the same grid.
    /// </param>
    public static Calibration Run(Dataset<float> data, double l2, double reference, Solver solver, int threads, TimeSpan budget, double target = TimeToOptimumBenchmarks.Target, double l1Ratio = 0, bool refine = false, bool floatProducts = false)
    {
        var clock = Stopwatch.StartNew();
        var options = new TrainingOptions { Solver = solver, Lambda = l2, L1Ratio = l1Ratio, MaxDegreeOfParallelism = threads, MaxIterations = 10_000_000, FloatProducts = floatProducts };
        Calibration? best = null;
        for (int attempt = 0; attempt < 12; attempt++)
        {
            string setting;
            if (solver == Solver.MiniBatchSgd)
            {
                options = options with { Tolerance = 0, MaxIterations = (int)(3 * Math.Pow(3, attempt)) };
                setting = "epochs={0}";
            }
            else
            {
                options = options with { Tolerance = 1e-3 * Math.Pow(10, -attempt) };
                setting = string.Format(CultureInfo.InvariantCulture, "Tolerance={0:G1}", options.Tolerance);
            }

            TimeSpan left = budget - clock.Elapsed;
            using var cancel = new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
            Calibration result = Attempt(data, options, reference, target, setting, cancel.Token);

            // Keep the best attempt (a late one may have been cut short by the budget).
            if (best is null || result.Gap < best.Gap)
            {
                best = result;
            }

            if (result.Reached || clock.Elapsed >= budget)
            {
                if (refine && result.Reached && attempt > 0 && solver != Solver.MiniBatchSgd)
                {
                    best = Refined(data, options, reference, target) ?? best;
                }

                break;
            }
        }

        return best!;
    }

    /// <summary>
    /// One fit with <paramref name="options"/>, scored against <paramref name="reference"/>; its options stop at the
    /// iteration count it took, and <paramref name="setting"/> is formatted with that count.
    /// </summary>
    private static Calibration Attempt(Dataset<float> data, TrainingOptions options, double reference, double target, string setting, CancellationToken cancellationToken)
    {
        TrainingReport report = LogisticRegression.Train(data, options, cancellationToken).Report;
        return new Calibration(
            options with { MaxIterations = report.Iterations },
            string.Format(CultureInfo.InvariantCulture, setting, report.Iterations),
            (report.FinalObjective - reference) / reference,
            report.DataPasses,
            report.Iterations,
            target);
    }

    /// <summary>The first of the looser tolerances of <see cref="RefineSteps"/> whose fit reaches <paramref name="target"/>, or null.</summary>
    private static Calibration? Refined(Dataset<float> data, TrainingOptions reached, double reference, double target)
    {
        foreach (double step in RefineSteps)
        {
            TrainingOptions options = reached with { Tolerance = reached.Tolerance * step };
            Calibration result = Attempt(data, options, reference, target, string.Format(CultureInfo.InvariantCulture, "Tolerance={0:G2}", options.Tolerance), CancellationToken.None);
            if (result.Reached)
            {
                return result;
            }
        }

        return null;
    }

    /// <summary>
    /// ML.NET's side of the same calibration: its OptimizationTolerance tightened tenfold from 10⁻³ until the gap that
    /// <paramref name="gapAt"/> reports (a fit at that tolerance, scored against the reference) reaches
    /// <paramref name="target"/>, the budget runs out, or the tolerance falls below 10⁻¹². The fit's options stay with the caller.
    /// </summary>
    public static (double Tolerance, double Gap) MlNetTolerance(Func<double, double> gapAt, TimeSpan budget, double target = TimeToOptimumBenchmarks.Target, bool refine = false)
    {
        var clock = Stopwatch.StartNew();
        double gap = double.NaN, tolerance = 1e-3;
        for (; ; tolerance /= 10)
        {
            gap = gapAt(tolerance);
            if (gap <= target || clock.Elapsed > budget || tolerance < 1e-12)
            {
                if (refine && gap <= target && tolerance < 1e-3)
                {
                    foreach (double step in RefineSteps)
                    {
                        double looser = gapAt(tolerance * step);
                        if (looser <= target)
                        {
                            return (tolerance * step, looser); // the caller's options hold this fit's tolerance
                        }
                    }

                    gapAt(tolerance); // the caller's options back at the tolerance that reached the target
                }

                return (tolerance, gap);
            }
        }
    }

    /// <summary>
    /// Prints a calibration line (shape, method, setting, passes, gap, target, reached or not) and appends it to the CSV
    /// file named by FASTLOGREG_TIME_TO_OPTIMUM_CSV, when set.
    /// </summary>
    public static void Record(string shape, string method, string setting, double gap, double passes, double target)
    {
        string line = string.Format(CultureInfo.InvariantCulture, "{0},{1},{2},{3:G4},{4:E2},{5:E0},{6}", shape, method, setting, passes, gap, target, gap <= target ? "reached" : "not reached");
        Console.WriteLine("// time-to-optimum: " + line);
        string? path = Environment.GetEnvironmentVariable("FASTLOGREG_TIME_TO_OPTIMUM_CSV");
        if (!string.IsNullOrEmpty(path))
        {
            File.AppendAllText(path, line + Environment.NewLine);
        }
    }

    /// <summary>The setting ML.NET's trainer was calibrated to.</summary>
    public static string MlNetSetting(double tolerance) => string.Format(CultureInfo.InvariantCulture, "OptimizationTolerance={0:G2}", tolerance);
}
