using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using FastLogReg.IO;

namespace FastLogReg.Benchmarks;

/// <summary>
/// Reading a LIBSVM file of the sparse workload's rows (200,000 rows, about 10 M non-zeros, ~150 MB of text) into
/// compressed sparse rows, against reading the file's bytes (the yardstick) — both from the page cache, in one run.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class LibSvmLoadBenchmarks
{
    private string _path = null!;

    [Params(1, 2)]
    public int Threads { get; set; } = 2;

    [GlobalSetup]
    public void Setup()
    {
        _path = Path.Combine(Path.GetTempPath(), "fastlogreg-bench-sparse.libsvm");
        if (!File.Exists(_path))
        {
            var work = new SparseWorkload(200_000, 1_000_000, 50, threads: 1);
            BenchmarkFiles.WriteLibSvm(_path, work.Matrix, work.Data.Labels.Span);
        }

        File.ReadAllBytes(_path); // into the page cache
    }

    [Benchmark(Baseline = true)]
    public long ReadBytes() => BenchmarkFiles.ReadAll(_path);

    [Benchmark]
    public long ReadSparse() => LibSvmDataReader.ReadSparse<float>(_path, new LibSvmReadOptions { MaxDegreeOfParallelism = Threads }).Data.Matrix.NonZeros;
}
