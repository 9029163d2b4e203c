using System.Diagnostics;
using System.Globalization;

namespace FastLogReg.Benchmarks;

/// <summary>
/// <c>--sparse-probe rows columns nnz threads</c>: a quick Stopwatch look at the sparse epoch against the streaming read of
/// its non-zeros (medians of interleaved repetitions) — for choosing between implementations while developing; the
/// figures that are reported come from the BenchmarkDotNet run of SparseBenchmarks.
/// </summary>
internal static class SparseProbe
{
    public static int Run(string[] args)
    {
        int rows = int.Parse(args[0], CultureInfo.InvariantCulture), columns = int.Parse(args[1], CultureInfo.InvariantCulture);
        int nnz = int.Parse(args[2], CultureInfo.InvariantCulture), threads = int.Parse(args[3], CultureInfo.InvariantCulture);
        var clock = Stopwatch.StartNew();
        var work = new SparseWorkload(rows, columns, nnz, threads);
        Console.WriteLine($"generated {rows} x {columns}, {work.Matrix.NonZeros} non-zeros, {work.Objective.ChunkCount} chunks, in {clock.Elapsed.TotalSeconds:F1} s");
        var epoch = new List<double>();
        var read = new List<double>();
        var gather = new List<double>();
        var scatter = new List<double>();
        double[] w = work.Point;
        double[][] g = Enumerable.Range(0, threads).Select(_ => new double[columns]).ToArray();
        for (int k = 0; k < 25; k++)
        {
            clock.Restart();
            work.StreamingRead();
            read.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            work.Epoch();
            epoch.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            Split(work, threads, (a, b) => SparseFloors.Gather(work.Values, work.Indices, w, a, b));
            gather.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            Split(work, threads, (a, b) => SparseFloors.Scatter(work.Values, work.Indices, g[a * threads / work.Values.Length], a, b));
            scatter.Add(clock.Elapsed.TotalMilliseconds);
        }

        // Columns relabelled by frequency (the most common first): the same accesses, denser in cache.
        int[] count = new int[columns];
        foreach (int j in work.Indices)
        {
            count[j]++;
        }

        int[] byFrequency = Enumerable.Range(0, columns).OrderByDescending(j => count[j]).ToArray();
        int[] label = new int[columns];
        for (int rank = 0; rank < columns; rank++)
        {
            label[byFrequency[rank]] = rank;
        }

        int[] relabelled = work.Indices.Select(j => label[j]).ToArray();
        var gather2 = new List<double>();
        var scatter2 = new List<double>();
        for (int k = 0; k < 25; k++)
        {
            clock.Restart();
            Split(work, threads, (a, b) => SparseFloors.Gather(work.Values, relabelled, w, a, b));
            gather2.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            Split(work, threads, (a, b) => SparseFloors.Scatter(work.Values, relabelled, g[a * threads / work.Values.Length], a, b));
            scatter2.Add(clock.Elapsed.TotalMilliseconds);
        }

        Console.WriteLine($"relabelled by frequency: bare gather {Median(gather2.Skip(5)):F2} ms, bare scatter {Median(scatter2.Skip(5)):F2} ms");
        double e = Median(epoch.Skip(5)), r = Median(read.Skip(5)), ga = Median(gather.Skip(5)), sc = Median(scatter.Skip(5));
        Console.WriteLine($"epoch {e:F2} ms, streaming read {r:F2} ms (ratio {e / r:F2}); bare gather Σ v·w[j] {ga:F2} ms, bare scatter g[j] += v {sc:F2} ms, gather + scatter {ga + sc:F2} ms (epoch / that {e / (ga + sc):F2})");
        return 0;
    }

    private static void Split(SparseWorkload work, int threads, Func<int, int, double> body)
    {
        int n = work.Values.Length;
        Parallel.For(0, threads, t => body((int)((long)n * t / threads), (int)((long)n * (t + 1) / threads)));
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] v = values.Order().ToArray();
        return v[v.Length / 2];
    }
}
