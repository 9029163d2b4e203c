using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using FastLogReg.IO;
using FastLogReg.Parquet;
using Parquet;
using Parquet.Schema;

namespace FastLogReg.Benchmarks;

/// <summary>
/// Loading 1,000,000 × 100 float features and a label from Parquet (written by Parquet.Net: float columns, row groups of
/// 100,000 rows, Snappy — its default) with ParquetDataReader (ParquetSharp) and with Parquet.Net, against loading the
/// same values from CSV (the baseline; the file of <see cref="CsvLoadBenchmarks"/>, 1.1 GB), all into the dense float
/// matrix, all from the page cache.
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

    [Benchmark(Description = "Parquet (ParquetDataReader: ParquetSharp)")]
    public int Parquet() => ParquetDataReader.Read<float>(_parquetPath).Data.Rows;

    /// <summary>
    /// The same file read with Parquet.Net (fully managed; the reader's library before this was measured) into the same
    /// row-major float matrix and label array, row groups in parallel with a reader per worker as ParquetDataReader does.
    /// </summary>
    [Benchmark(Description = "Parquet (Parquet.Net, managed)")]
    public int ParquetNetRead()
    {
        int groups;
        DataField[] fields;
        ParquetReader meta = ParquetReader.CreateAsync(_parquetPath).GetAwaiter().GetResult();
        groups = meta.RowGroupCount;
        fields = meta.Schema.GetDataFields();
        meta.DisposeAsync().AsTask().GetAwaiter().GetResult();

        float[] x = GC.AllocateUninitializedArray<float>(checked(Rows * Columns));
        float[] y = new float[Rows];
        _netResult = (x, y);
        Parallel.For(0, Environment.ProcessorCount, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, worker =>
        {
            ParquetReader file = ParquetReader.CreateAsync(_parquetPath).GetAwaiter().GetResult();
            float[] column = new float[RowGroup];
            int[] label = new int[RowGroup];
            for (int g = worker; g < groups; g += Environment.ProcessorCount)
            {
                using ParquetRowGroupReader group = file.OpenRowGroupReader(g);
                int n = checked((int)group.RowCount);
                long start = (long)g * RowGroup;
                for (int j = 0; j < Columns; j++)
                {
                    group.ReadAsync(fields[j], column.AsMemory(0, n)).AsTask().GetAwaiter().GetResult();
                    for (int i = 0; i < n; i++)
                    {
                        x[((start + i) * Columns) + j] = column[i];
                    }
                }

                group.ReadAsync(fields[Columns], label.AsMemory(0, n)).AsTask().GetAwaiter().GetResult();
                for (int i = 0; i < n; i++)
                {
                    y[start + i] = label[i];
                }
            }

            file.DisposeAsync().AsTask().GetAwaiter().GetResult();
        });
        return x.Length + y.Length;
    }

    private (float[] X, float[] Y) _netResult;

    /// <summary>Checks once that Parquet.Net's matrix is ParquetDataReader's, so the two rows time the same work.</summary>
    [GlobalSetup(Target = nameof(ParquetNetRead))]
    public void SetupNet()
    {
        Setup();
        ParquetNetRead();
        LabeledData<float> reference = ParquetDataReader.Read<float>(_parquetPath);
        if (!reference.Data.Features.Span.SequenceEqual(_netResult.X) || !reference.Data.Labels.Span.SequenceEqual(_netResult.Y))
        {
            throw new InvalidOperationException("Parquet.Net read other values than ParquetDataReader.");
        }

        Console.WriteLine("// Parquet.Net's matrix and labels equal ParquetDataReader's");
        _netResult = default;
    }
}
