using System.Globalization;
using FastLogReg.Data;
using FastLogReg.Objective;

namespace FastLogReg.Benchmarks;

/// <summary>
/// <c>--moments ROWS COLUMNS float|double [constant|tiny|extreme]</c>: <see cref="FeatureScaling.Compute"/> (two threads)
/// on random rows, optionally with column 0 all zero (constant) or scaled by 10⁻¹⁷⁰ (tiny), or every value scaled by
/// 10⁻²⁰⁰ (extreme: the largest deviations are taken first, in a pass of their own) — the median of 31 calls after a
/// warm-up, Stopwatch; a probe for A/B runs, not stored results.
/// </summary>
internal static class MomentsProbe
{
    public static int Run(string[] args)
    {
        var c = CultureInfo.InvariantCulture;
        int rows = int.Parse(args[0], c), columns = int.Parse(args[1], c);
        string kind = args.Length > 3 ? args[3] : "plain";
        var rng = new Random(7);
        double[] x = new double[(long)rows * columns];
        for (long k = 0; k < x.LongLength; k++)
        {
            int j = (int)(k % columns);
            x[k] = j == 0 && kind == "constant" ? 0 : (rng.NextDouble() - 0.3) * (j == 0 && kind == "tiny" ? 1e-170 : kind == "extreme" ? 1e-200 : 10);
        }

        double[] y = [.. Enumerable.Range(0, rows).Select(i => (double)(i % 2))];
        double ms = args[2] == "float"
            ? Time(DenseDataset.Create(x.Select(v => (float)v).ToArray(), y.Select(v => (float)v).ToArray(), columns))
            : Time(DenseDataset.Create(x, y, columns));
        Console.WriteLine(string.Format(c, "{0} x {1} {2} {3}: FeatureScaling.Compute {4:F3} ms (median of 31)", rows, columns, args[2], kind, ms));
        return 0;
    }

    private static double Time<T>(DenseDataset<T> data)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        Calibration.WarmUp(() => FeatureScaling.Compute(data, 2));
        return Calibration.MedianMilliseconds(() => FeatureScaling.Compute(data, 2), 31);
    }
}
