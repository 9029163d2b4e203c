using FastLogReg.IO;
using FastLogReg.Parquet;
using Parquet;
using Parquet.Schema;
using Xunit;

namespace FastLogReg.Tests.IO;

/// <summary>Parquet input, on files written by Parquet.Net itself: the same data as the CSV, typed columns, clear errors.</summary>
public sealed class ParquetReaderTests
{
    private static string BreastCancerCsv => Path.Combine(AppContext.BaseDirectory, "datasets", "breast_cancer.csv");

    [Fact]
    public void BreastCancer_ReadsAsTheCsvDoes_InSeveralRowGroups()
    {
        using var dir = new TempDirectory();
        LabeledData<double> csv = CsvDataReader.Read<double>(BreastCancerCsv);
        string path = dir.File("bc.parquet");
        WriteDataset(path, csv, rowGroup: 200);

        LabeledData<double> parquet = ParquetDataReader.Read<double>(path);

        Assert.Equal(csv.FeatureNames, parquet.FeatureNames);
        Assert.Equal(csv.Data.Features.ToArray(), parquet.Data.Features.ToArray());
        Assert.Equal(csv.Data.Labels.ToArray(), parquet.Data.Labels.ToArray());
        Assert.Equal(csv.Labels, parquet.Labels);
        Assert.Equal("benign", parquet.LabelColumn);
    }

    [Fact]
    public void TypedColumns_AndTextLabels_AndFeatureSelectionByName()
    {
        using var dir = new TempDirectory();
        string path = dir.File("typed.parquet");
        Write(path, [
            (new DataField<int>("count"), new[] { 1, 2, 3, 4 }),
            (new DataField<float>("ratio"), new[] { 0.5f, 1.5f, -2f, 0f }),
            (new DataField<bool>("flag"), new[] { true, false, true, false }),
            (new DataField<double?>("maybe"), new double?[] { 1.0, 2.0, 3.0, 4.0 }),
            (new DataField<string>("kind"), new[] { "spam", "ham", "spam", "ham" }),
        ]);

        LabeledData<double> data = ParquetDataReader.Read<double>(path, new ParquetReadOptions { FeatureColumns = ["ratio", "count", "flag", "maybe"] });

        Assert.Equal(["ratio", "count", "flag", "maybe"], data.FeatureNames);
        Assert.Equal([0.5, 1, 1, 1, 1.5, 2, 0, 2, -2, 3, 1, 3, 0, 4, 0, 4], data.Data.Features.ToArray());
        Assert.Equal(["ham", "spam"], data.Labels.Classes); // text ordered ordinally: 'spam' is class 1
        Assert.Equal([1.0, 0, 1, 0], data.Data.Labels.ToArray());
    }

    [Fact]
    public void Problems_AreNamed()
    {
        using var dir = new TempDirectory();
        string path = dir.File("bad.parquet");
        Write(path, [
            (new DataField<double?>("x"), new double?[] { 1.0, null, 3.0 }),
            (new DataField<string>("text"), new[] { "a", "b", "c" }),
            (new DataField<double>("nan"), new[] { 1.0, double.NaN, 0 }),
            (new DataField<int>("y"), new[] { 0, 1, 0 }),
        ]);

        Assert.Contains("no label column 'target'", Assert.Throws<DataFormatException>(() => ParquetDataReader.Read<double>(path, new ParquetReadOptions { LabelColumn = "target" })).Message);
        Assert.Contains("'text' holds text, not numbers", Assert.Throws<DataFormatException>(() => ParquetDataReader.Read<double>(path)).Message);
        Assert.Contains("row 2, column 'x' is null", Assert.Throws<DataFormatException>(() => ParquetDataReader.Read<double>(path, new ParquetReadOptions { FeatureColumns = ["x"] })).Message);
        Assert.Contains("row 2, column 'nan': NaN is not a finite number", Assert.Throws<DataFormatException>(() => ParquetDataReader.Read<double>(path, new ParquetReadOptions { FeatureColumns = ["nan"] })).Message);
        File.WriteAllText(dir.File("not.parquet"), "a,b\n1,2\n");
        Assert.Contains("not a readable Parquet file", Assert.Throws<DataFormatException>(() => ParquetDataReader.Read<double>(dir.File("not.parquet"))).Message);
    }

    [Fact]
    public void DoubleBeyondFloat_IsAnErrorWhenReadAsFloat_AndReadsAsDouble()
    {
        using var dir = new TempDirectory();
        string path = dir.File("wide.parquet");
        Write(path, [
            (new DataField<double>("x"), new[] { 1.0, 1e300, 3.0 }),
            (new DataField<int>("y"), new[] { 0, 1, 0 }),
        ]);

        Assert.Contains("row 2, column 'x': 1E+300 is beyond the range of float", Assert.Throws<DataFormatException>(() => ParquetDataReader.Read<float>(path)).Message);
        Assert.Equal([1.0, 1e300, 3.0], ParquetDataReader.Read<double>(path).Data.Features.ToArray());
    }

    [Fact]
    public void Tool_TrainsAndEvaluatesFromParquet()
    {
        using var dir = new TempDirectory();
        string path = dir.File("bc.parquet"), model = dir.File("m.json");
        WriteDataset(path, CsvDataReader.Read<double>(BreastCancerCsv), rowGroup: 1000);

        var output = new StringWriter();
        var error = new StringWriter();
        Assert.True(FastLogReg.Cli.CommandLine.Run(["train", "--data", path, "--model", model, "--standardize", "--quiet"], output, error, interactive: false) == 0, error.ToString());
        Assert.True(FastLogReg.Cli.CommandLine.Run(["evaluate", "--model", model, "--data", path, "--json"], output, error, interactive: false) == 0, error.ToString());
        Assert.Contains("\"accuracy\"", output.ToString());
        Assert.Equal(2, FastLogReg.Cli.CommandLine.Run(["train", "--data", path, "--model", model, "--separator", ";"], output, error, interactive: false));
    }

    /// <summary>Breast cancer as a Parquet file (row groups of 200 rows), for other tests.</summary>
    internal static void WriteFile(string path) => WriteDataset(path, CsvDataReader.Read<double>(BreastCancerCsv), rowGroup: 200);

    private static void WriteDataset(string path, LabeledData<double> data, int rowGroup)
    {
        int n = data.Data.Rows, d = data.Data.Columns;
        double[] x = data.Data.Features.ToArray();
        var columns = new List<(DataField, Array)>();
        for (int j = 0; j < d; j++)
        {
            columns.Add((new DataField<double>(data.FeatureNames[j]), Enumerable.Range(0, n).Select(i => x[(i * d) + j]).ToArray()));
        }

        columns.Add((new DataField<int>(data.LabelColumn!), data.Data.Labels.ToArray().Select(v => int.Parse(data.Labels.Classes[(int)v], System.Globalization.CultureInfo.InvariantCulture)).ToArray()));
        Write(path, columns, [.. Enumerable.Range(0, (n + rowGroup - 1) / rowGroup).Select(g => Math.Min(rowGroup, n - (g * rowGroup)))]);
    }

    /// <summary>A Parquet file of <paramref name="columns"/> in row groups of <paramref name="groupSizes"/> rows (one group when none are given).</summary>
    internal static void Write(string path, IReadOnlyList<(DataField Field, Array Values)> columns, params int[] groupSizes)
    {
        var schema = new ParquetSchema(columns.Select(c => (Field)c.Field).ToArray());
        using Stream stream = File.Create(path);
        ParquetWriter writer = ParquetWriter.CreateAsync(schema, stream).GetAwaiter().GetResult();
        int n = columns[0].Values.Length;
        int[] sizes = groupSizes.Length > 0 ? groupSizes : [n];
        Assert.Equal(n, sizes.Sum());
        int start = 0;
        foreach (int count in sizes)
        {
            using ParquetRowGroupWriter group = writer.CreateRowGroup();
            foreach ((DataField field, Array values) in columns)
            {
                switch (values)
                {
                    case double[] v: group.WriteAsync(field, (ReadOnlyMemory<double>)v.AsMemory(start, count)).GetAwaiter().GetResult(); break;
                    case double?[] v: group.WriteAsync(field, (ReadOnlyMemory<double?>)v.AsMemory(start, count)).GetAwaiter().GetResult(); break;
                    case float[] v: group.WriteAsync(field, (ReadOnlyMemory<float>)v.AsMemory(start, count)).GetAwaiter().GetResult(); break;
                    case int[] v: group.WriteAsync(field, (ReadOnlyMemory<int>)v.AsMemory(start, count)).GetAwaiter().GetResult(); break;
                    case long[] v: group.WriteAsync(field, (ReadOnlyMemory<long>)v.AsMemory(start, count)).GetAwaiter().GetResult(); break;
                    case bool[] v: group.WriteAsync(field, (ReadOnlyMemory<bool>)v.AsMemory(start, count)).GetAwaiter().GetResult(); break;
                    case bool?[] v: group.WriteAsync(field, (ReadOnlyMemory<bool?>)v.AsMemory(start, count)).GetAwaiter().GetResult(); break;
                    case string[] v: group.WriteAsync(field, v.Skip(start).Take(count).ToArray()).GetAwaiter().GetResult(); break;
                    case decimal[] v: group.WriteAsync(field, (ReadOnlyMemory<decimal>)v.AsMemory(start, count)).GetAwaiter().GetResult(); break;
                    case DateTime[] v: group.WriteAsync(field, (ReadOnlyMemory<DateTime>)v.AsMemory(start, count)).GetAwaiter().GetResult(); break;
                    default: throw new NotSupportedException(values.GetType().Name);
                }
            }

            start += count;
        }

        writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
