using System.Globalization;
using FastLogReg.Data;
using FastLogReg.Training;

namespace FastLogReg.Benchmarks;

/// <summary>
/// <c>--multiclass-fit data tolerance [repeats] [threads] [float]</c>: one multinomial L-BFGS fit (C = 1, as the time-to-optimum
/// benchmark) timed warm, median of <c>repeats</c> — its passes, and the time per pass; for profiling a whole fit, not
/// for stored results.
/// </summary>
internal static class MulticlassFitProbe
{
    public static int Run(string[] args)
    {
        var c = CultureInfo.InvariantCulture;
        DenseDataset<float> data = MulticlassTimeToOptimumBenchmarks.Load(args[0]);
        double tolerance = double.Parse(args[1], c);
        int repeats = args.Length > 2 ? int.Parse(args[2], c) : 21;
        int threads = args.Length > 3 ? int.Parse(args[3], c) : 2;
        var options = new TrainingOptions { L2 = TrainingOptions.L2FromScikitLearnC(1.0, data.Rows), Tolerance = tolerance, MaxDegreeOfParallelism = threads, MaxIterations = 100_000, FloatProducts = args.Length > 4 && args[4] == "float" };
        TrainingResult fit = LogisticRegression.Train(data, options);
        Calibration.WarmUp(() => LogisticRegression.Train(data, options));
        double ms = Calibration.MedianMilliseconds(() => LogisticRegression.Train(data, options), repeats);
        Console.WriteLine(string.Format(c, "{0}: {1:F2} ms, {2} iterations, {3:F0} passes, {4:F1} µs per pass, objective {5:R}", args[0], ms, fit.Report.Iterations, fit.Report.DataPasses, 1000 * ms / fit.Report.DataPasses, fit.Report.FinalObjective));
        return 0;
    }
}
