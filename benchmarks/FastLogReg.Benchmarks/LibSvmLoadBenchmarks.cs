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
            using var writer = new StreamWriter(_path, false, new UTF8Encoding(false), 1 << 20);
            float[] y = work.Data.Labels.ToArray();
            for (int i = 0; i < work.Data.Rows; i++)
            {
                Data.SparseRow<float> row = work.Matrix.GetRow(i);
                writer.Write(y[i] == 1 ? "+1" : "-1");
                for (int k = 0; k < row.Indices.Length; k++)
                {
                    writer.Write(' ');
                    writer.Write((row.Indices[k] + 1).ToString(CultureInfo.InvariantCulture));
                    writer.Write(':');
                    writer.Write(row.Values[k].ToString("R", CultureInfo.InvariantCulture));
                }

                writer.Write('\n');
            }
        }

        File.ReadAllBytes(_path); // into the page cache
    }

    [Benchmark(Baseline = true)]
    public long ReadBytes()
    {
        using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        byte[] buffer = new byte[1 << 20];
        long total = 0;
        int read;
        while ((read = file.Read(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    [Benchmark]
    public long ReadSparse() => LibSvmDataReader.ReadSparse<float>(_path, new LibSvmReadOptions { MaxDegreeOfParallelism = Threads }).Data.Matrix.NonZeros;
}
