using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using FastLogReg.IO;
using nietras.SeparatedValues;

namespace FastLogReg.Benchmarks;

/// <summary>
/// Loading a 1,000,000 × 100 CSV file (about 1.1 GB, floats written round-trip, from the page cache) with
/// <see cref="CsvDataReader"/>, against what any reader must do: read the file's bytes (the baseline), decode them to
/// text, and tokenize and parse them with Sep alone (the parser FastLogReg uses, without its checks and labels).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class CsvLoadBenchmarks
{
    private const int Rows = 1_000_000;
    private const int Columns = 100;
    private string _path = null!;
    private readonly int[] _features = Enumerable.Range(0, Columns).ToArray();
    private CsvOutline? _outline;

    [GlobalSetup]
    public void Setup()
    {
        _path = Path.Combine(Path.GetTempPath(), $"fastlogreg-bench-{Rows}x{Columns}.csv");
        if (File.Exists(_path))
        {
            return;
        }

        var rng = new Random(1);
        string temporary = _path + ".partial";
        using (var writer = new StreamWriter(temporary, false, new UTF8Encoding(false), 1 << 20))
        {
            writer.WriteLine(string.Join(",", Enumerable.Range(0, Columns).Select(j => "x" + j.ToString(CultureInfo.InvariantCulture))) + ",y");
            var line = new StringBuilder();
            for (int i = 0; i < Rows; i++)
            {
                line.Clear();
                for (int j = 0; j < Columns; j++)
                {
                    line.Append(((float)((rng.NextDouble() * 2) - 1)).ToString("R", CultureInfo.InvariantCulture)).Append(',');
                }

                line.Append(rng.Next(2));
                writer.WriteLine(line);
            }
        }

        File.Move(temporary, _path, overwrite: true);
    }

    [Benchmark(Baseline = true, Description = "Read the file's bytes")]
    public long ReadBytes()
    {
        long total = 0;
        using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        byte[] buffer = new byte[1 << 20];
        int read;
        while ((read = file.Read(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    [Benchmark(Description = "Decode to text (StreamReader)")]
    public long DecodeText()
    {
        long total = 0;
        using var reader = new StreamReader(_path);
        char[] buffer = new char[1 << 20];
        int read;
        while ((read = reader.Read(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    [Benchmark(Description = "Sep alone: tokenize + parse floats")]
    public float SepParse()
    {
        float[] values = new float[Columns];
        float sum = 0;
        using SepReader reader = Sep.Reader(o => o with { DisableColCountCheck = true, Unescape = true, Trim = SepTrim.All }).FromFile(_path);
        foreach (SepReader.Row row in reader)
        {
            row[_features].Parse(values.AsSpan());
            sum += values[0];
        }

        return sum;
    }

    [Benchmark(Description = "CsvDataReader.Read<float>, 1 thread")]
    public int CsvDataReaderReadOneThread() => CsvDataReader.Read<float>(_path, new CsvReadOptions { MaxDegreeOfParallelism = 1 }).Data.Rows;

    [Benchmark(Description = "CsvDataReader.Read<float>, 2 threads")]
    public int CsvDataReaderRead() => CsvDataReader.Read<float>(_path).Data.Rows;

    /// <summary>The pass a sharded fit's planner makes over the whole file: rows, labels, row starts; no number parsed.</summary>
    [Benchmark(Description = "CsvDataReader.Outline (the shard planner's pass)")]
    public int Outline() => CsvDataReader.Outline(_path).Rows;

    /// <summary>What one of four shards reads: its quarter of the rows, from the outline's row starts.</summary>
    [Benchmark(Description = "CsvDataReader.ReadRange<float>, the last quarter (one of 4 shards)")]
    public int ReadQuarter()
    {
        _outline ??= CsvDataReader.Outline(_path);
        int quarter = _outline.Rows / 4;
        return CsvDataReader.ReadRange<float>(_path, _outline.Range(_outline.Rows - quarter, quarter), new CsvReadOptions { Labels = _outline.Labels }).Data.Rows;
    }
}
