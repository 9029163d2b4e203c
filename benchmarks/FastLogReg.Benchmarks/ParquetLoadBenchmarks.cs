using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using FastLogReg.IO;
using Parquet;
using Parquet.Schema;

namespace FastLogReg.Benchmarks;

/// <summary>
/// Loading 1,000,000 × 100 float features and a label from Parquet (Parquet.Net, float columns, row groups of 100,000
/// rows, Snappy — the library's default) against loading the same values from CSV (the baseline; the file of
/// <see cref="CsvLoadBenchmarks"/>, 1.1 GB), both into the dense float matrix, both from the page cache.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class ParquetLoadBenchmarks
{
    private const int Rows = 1_000_000;
    private const int Columns = 100;
    private const int RowGroup = 100_000;
    private readonly CsvLoadBenchmarks _csv = new();
    private string _csvPath = null!;
    private string _parquetPath = null!;

    [GlobalSetup]
    public void Setup()
    {
        _csv.Setup();
        _csvPath = Path.Combine(Path.GetTempPath(), $"fastlogreg-bench-{Rows}x{Columns}.csv");
        _parquetPath = Path.Combine(Path.GetTempPath(), $"fastlogreg-bench-{Rows}x{Columns}.parquet");
        if (File.Exists(_parquetPath))
        {
            return;
        }

        LabeledData<float> data = CsvDataReader.Read<float>(_csvPath);
        float[] x = data.Data.Features.ToArray();
        int[] y = data.Data.Labels.ToArray().Select(v => (int)v).ToArray();
        var fields = Enumerable.Range(0, Columns).Select(j => (Field)new DataField<float>("x" + j.ToString(CultureInfo.InvariantCulture))).Append(new DataField<int>("y")).ToArray();
        string temporary = _parquetPath + ".partial";
        using (Stream stream = File.Create(temporary))
        {
            ParquetWriter writer = ParquetWriter.CreateAsync(new ParquetSchema(fields), stream).GetAwaiter().GetResult();
            float[] column = new float[RowGroup];
            for (int start = 0; start < Rows; start += RowGroup)
            {
                using ParquetRowGroupWriter group = writer.CreateRowGroup();
                for (int j = 0; j < Columns; j++)
                {
                    for (int i = 0; i < RowGroup; i++)
                    {
                        column[i] = x[((long)(start + i) * Columns) + j];
                    }

                    group.WriteAsync((DataField)fields[j], (ReadOnlyMemory<float>)column).GetAwaiter().GetResult();
                }

                group.WriteAsync((DataField)fields[Columns], (ReadOnlyMemory<int>)y.AsMemory(start, RowGroup)).GetAwaiter().GetResult();
            }

            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        File.Move(temporary, _parquetPath, overwrite: true);
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "// Parquet file: {0:N0} bytes; CSV: {1:N0} bytes", new FileInfo(_parquetPath).Length, new FileInfo(_csvPath).Length));
    }

    [Benchmark(Baseline = true, Description = "CSV (CsvDataReader)")]
    public int Csv() => CsvDataReader.Read<float>(_csvPath).Data.Rows;

    [Benchmark(Description = "Parquet (ParquetDataReader)")]
    public int Parquet() => ParquetDataReader.Read<float>(_parquetPath).Data.Rows;

    /// <summary>
    /// The same file read with ParquetSharp (Apache Arrow's C++ reader) into the same row-major float matrix and label
    /// array, row groups in parallel with a reader per worker as ParquetDataReader does — the alternative the issue
    /// asked to measure before choosing.
    /// </summary>
    [Benchmark(Description = "Parquet (ParquetSharp, native)")]
    public int ParquetSharpRead()
    {
        int groups;
        long rows;
        using (var file = new ParquetSharp.ParquetFileReader(_parquetPath))
        {
            groups = file.FileMetaData.NumRowGroups;
            rows = file.FileMetaData.NumRows;
        }

        float[] x = GC.AllocateUninitializedArray<float>(checked((int)(rows * Columns)));
        float[] y = new float[rows];
        _sharpResult = (x, y);
        Parallel.For(0, Environment.ProcessorCount, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, worker =>
        {
            using var file = new ParquetSharp.ParquetFileReader(_parquetPath);
            float[] column = new float[RowGroup];
            for (int g = worker; g < groups; g += Environment.ProcessorCount)
            {
                using ParquetSharp.RowGroupReader group = file.RowGroup(g);
                int n = checked((int)group.MetaData.NumRows);
                long start = (long)g * RowGroup;
                for (int j = 0; j < Columns; j++)
                {
                    using (ParquetSharp.LogicalColumnReader<float> reader = group.Column(j).LogicalReader<float>())
                    {
                        for (int read = 0; read < n;)
                        {
                            read += reader.ReadBatch(column.AsSpan(read, n - read));
                        }
                    }

                    for (int i = 0; i < n; i++)
                    {
                        x[((start + i) * Columns) + j] = column[i];
                    }
                }

                using ParquetSharp.LogicalColumnReader<int> labels = group.Column(Columns).LogicalReader<int>();
                int[] label = new int[n];
                for (int read = 0; read < n;)
                {
                    read += labels.ReadBatch(label.AsSpan(read));
                }
                for (int i = 0; i < n; i++)
                {
                    y[start + i] = label[i];
                }
            }
        });
        return x.Length + y.Length;
    }

    private (float[] X, float[] Y) _sharpResult;

    /// <summary>Checks once that ParquetSharp's matrix is ParquetDataReader's, so the two rows time the same work.</summary>
    [GlobalSetup(Target = nameof(ParquetSharpRead))]
    public void SetupSharp()
    {
        Setup();
        ParquetSharpRead();
        LabeledData<float> reference = ParquetDataReader.Read<float>(_parquetPath);
        if (!reference.Data.Features.Span.SequenceEqual(_sharpResult.X) || !reference.Data.Labels.Span.SequenceEqual(_sharpResult.Y))
        {
            throw new InvalidOperationException("ParquetSharp read other values than ParquetDataReader.");
        }

        Console.WriteLine("// ParquetSharp's matrix and labels equal ParquetDataReader's");
        _sharpResult = default;
    }
}
