using System.Diagnostics;
using System.Globalization;

namespace FastLogReg.Benchmarks;

/// <summary>
/// <c>--multiclass-probe rows cols classes threads [name]</c>: a quick stopwatch look at one K-class epoch (multinomial,
/// one-vs-rest, K binary passes, the streaming read, the arithmetic floor), the median of 30 (300 with a name filter, for profiling) after a one-second warm-up — for trying kernel changes
/// between BenchmarkDotNet runs, not for stored results.
/// </summary>
internal static class MulticlassProbe
{
    public static int Run(string[] args)
    {
        int rows = int.Parse(args[0], CultureInfo.InvariantCulture), columns = int.Parse(args[1], CultureInfo.InvariantCulture);
        int classes = int.Parse(args[2], CultureInfo.InvariantCulture), threads = int.Parse(args[3], CultureInfo.InvariantCulture);
        var work = new MulticlassWorkload(rows, columns, classes, threads);
        string only = args.Length > 4 ? args[4] : string.Empty;
        foreach ((string name, Func<double> body) in new (string, Func<double>)[]
        {
            ("streaming read", work.StreamingRead), ("arithmetic floor", work.ArithmeticFloor), ("multinomial", work.MultinomialEpoch), ("float products", work.MultinomialFloatEpoch), ("one-vs-rest", work.OneVsRestEpoch), ("K binary passes", work.BinaryPasses),
        })
        {
            if (name.StartsWith(only, StringComparison.Ordinal))
            {
                Time(name, body, only.Length > 0 ? 300 : 30);
            }
        }

        return 0;
    }

    private static void Time(string name, Func<double> body, int repeats)
    {
        // Warm up for a second: tiered compilation promotes hot methods only after its call-counting delay.
        long warm = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(warm).TotalSeconds < 1)
        {
            body();
        }

        double[] ms = new double[repeats];
        for (int i = 0; i < ms.Length; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            body();
            ms[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }

        Array.Sort(ms);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-18} {ms[ms.Length / 2],9:F3} ms (min {ms[0]:F3}, p10 {ms[ms.Length / 10]:F3}, p90 {ms[ms.Length * 9 / 10]:F3})"));
    }
}
