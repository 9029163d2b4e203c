using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using FastLogReg.Features;
using FastLogReg.IO;

namespace FastLogReg.Benchmarks;

/// <summary>
/// Reading 200,000 orders — a number, a category (500 values) and a 12-word text (a 20,000-word vocabulary) — from CSV
/// with the two text columns hashed (2^10 and 2^20 columns) into sparse rows, against the baseline of reading the same
/// sparse rows already hashed, from a LIBSVM file (the input a user would otherwise prepare outside .NET); and the bytes
/// of each file read once. Both from the page cache, two threads, in one run.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class HashedLoadBenchmarks
{
    private const int Rows = 200_000;
    private static readonly HashedColumn[] Hashed = [new("country", 10), new("review", 20, HashedTokens.Words)];
    private string _csv = null!;
    private string _libsvm = null!;

    [GlobalSetup]
    public void Setup()
    {
        _csv = Path.Combine(Path.GetTempPath(), "fastlogreg-bench-hashed.csv");
        _libsvm = Path.Combine(Path.GetTempPath(), "fastlogreg-bench-hashed.libsvm");
        if (!File.Exists(_csv) || !File.Exists(_libsvm))
        {
            var random = new Random(2024);
            string[] vocabulary = Enumerable.Range(0, 20_000).Select(k => "w" + k.ToString("x", CultureInfo.InvariantCulture)).ToArray();
            using (var writer = new StreamWriter(_csv + ".partial", false, new UTF8Encoding(false), 1 << 20))
            {
                writer.Write("price,country,review,label\n");
                for (int i = 0; i < Rows; i++)
                {
                    writer.Write((random.NextDouble() * 100).ToString("F2", CultureInfo.InvariantCulture));
                    writer.Write(",c");
                    writer.Write(random.Next(500).ToString(CultureInfo.InvariantCulture));
                    writer.Write(',');
                    for (int w = 0; w < 12; w++)
                    {
                        writer.Write(w == 0 ? string.Empty : " ");
                        writer.Write(vocabulary[(int)Math.Min(vocabulary.Length - 1, -Math.Log(1 - random.NextDouble()) * 2000)]);
                    }

                    writer.Write(random.Next(2) == 0 ? ",no\n" : ",yes\n");
                }
            }

            File.Move(_csv + ".partial", _csv, overwrite: true);
            SparseLabeledData<float> data = CsvDataReader.ReadHashed<float>(_csv, Hashed);
            BenchmarkFiles.WriteLibSvm(_libsvm, data.Data.Matrix, data.Data.Labels.Span);

        }

        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "// CSV {0:N0} bytes, LIBSVM {1:N0} bytes", new FileInfo(_csv).Length, new FileInfo(_libsvm).Length));
        File.ReadAllBytes(_csv);
        File.ReadAllBytes(_libsvm);
    }

    [Benchmark(Baseline = true, Description = "LIBSVM, already hashed (LibSvmDataReader)")]
    public long LibSvm() => LibSvmDataReader.ReadSparse<float>(_libsvm, new LibSvmReadOptions { Columns = 1 + (1 << 10) + (1 << 20) }).Data.Matrix.NonZeros;

    [Benchmark(Description = "CSV, hashing 2 text columns (CsvDataReader.ReadHashed)")]
    public long Csv() => CsvDataReader.ReadHashed<float>(_csv, Hashed).Data.Matrix.NonZeros;

    [Benchmark(Description = "CSV bytes")]
    public long CsvBytes() => BenchmarkFiles.ReadAll(_csv);

    [Benchmark(Description = "LIBSVM bytes")]
    public long LibSvmBytes() => BenchmarkFiles.ReadAll(_libsvm);
}
