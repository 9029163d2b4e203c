using System.Diagnostics;
using System.Globalization;
using FastLogReg.Training;

namespace FastLogReg.Benchmarks;

/// <summary>
/// Coordinate descent's per-row work alone (<c>--row-terms ROWS</c>): one line-search trial, <see cref="LogisticRowTerms.Step"/>
/// (a margin update, one exp, one log1p and one division per row), on ROWS rows in L1 — ns per row, the median of 31
/// timings of 2,000 calls; what a path point's row evaluations cost on small data.
/// </summary>
internal static class RowTermsProbe
{
    public static int Run(string[] args)
    {
        int n = int.Parse(args[0], CultureInfo.InvariantCulture);
        var random = new Random(1);
        double[] z = new double[n], xd = new double[n], y = new double[n], s = new double[n], moved = new double[n], r = new double[n], d = new double[n];
        for (int i = 0; i < n; i++)
        {
            z[i] = (random.NextDouble() - 0.5) * 8;
            xd[i] = (random.NextDouble() - 0.5) * 0.1;
            y[i] = random.Next(2);
            s[i] = 1.0 / n;
        }

        const int calls = 2_000;
        var times = new double[31];
        double sink = 0;
        for (int t = -3; t < times.Length; t++)
        {
            var clock = Stopwatch.StartNew();
            for (int c = 0; c < calls; c++)
            {
                sink += LogisticRowTerms.Step(z, xd, 0.01, 1, y, s, moved, r, d).Loss;
            }

            if (t >= 0)
            {
                times[t] = clock.Elapsed.TotalNanoseconds / calls;
            }
        }

        Array.Sort(times);
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0} rows: {1:F0} ns per call, {2:F2} ns per row ({3:G3})", n, times[15], times[15] / n, sink));
        return 0;
    }
}
