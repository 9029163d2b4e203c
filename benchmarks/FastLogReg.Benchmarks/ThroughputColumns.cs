using System.Globalization;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace FastLogReg.Benchmarks;

/// <summary>Adds rows/s, GB/s of feature data and % of the streaming read's throughput to a summary.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ThroughputColumnsAttribute : ColumnConfigBaseAttribute
{
    public ThroughputColumnsAttribute()
        : base(new ThroughputColumn(ThroughputColumn.Kind.RowsPerSecond), new ThroughputColumn(ThroughputColumn.Kind.GigabytesPerSecond), new ThroughputColumn(ThroughputColumn.Kind.PercentOfStreamingRead))
    {
    }
}

/// <summary>A throughput figure derived from the mean time and the benchmark's Shape parameter.</summary>
public sealed class ThroughputColumn(ThroughputColumn.Kind kind) : IColumn
{
    public enum Kind
    {
        RowsPerSecond,
        GigabytesPerSecond,
        PercentOfStreamingRead,
    }

    public string Id => nameof(ThroughputColumn) + kind;

    public string ColumnName => kind switch
    {
        Kind.RowsPerSecond => "Rows/s",
        Kind.GigabytesPerSecond => "GB/s",
        _ => "% of stream",
    };

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => (int)kind;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => kind switch
    {
        Kind.RowsPerSecond => "Rows processed per second",
        Kind.GigabytesPerSecond => "Gigabytes of feature data per second (rows × columns × element size / mean time)",
        _ => "Throughput as a percentage of the streaming read of the same bytes in the same run (100% = memory-bandwidth limit)",
    };

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (mean is not > 0 || benchmarkCase.Parameters["Shape"] is not string shape)
        {
            return "-";
        }

        (int rows, int columns) = Workload.Parse(shape);
        double seconds = mean.Value * 1e-9;
        var c = CultureInfo.InvariantCulture;
        switch (kind)
        {
            case Kind.RowsPerSecond:
                return (rows / seconds).ToString("G3", c);
            case Kind.GigabytesPerSecond:
                return ((double)rows * columns * ElementSize(benchmarkCase) / seconds / 1e9).ToString("F2", c);
            default:
                BenchmarkCase? baseline = summary.BenchmarksCases.FirstOrDefault(b =>
                    b.Descriptor.Baseline && b.Descriptor.Type == benchmarkCase.Descriptor.Type && b.Parameters.DisplayInfo == benchmarkCase.Parameters.DisplayInfo);
                double? reference = baseline is null ? null : summary[baseline]?.ResultStatistics?.Mean;
                return reference is > 0 ? (100 * reference.Value / mean.Value).ToString("F0", c) + "%" : "-";
        }
    }

    private static int ElementSize(BenchmarkCase benchmarkCase)
    {
        Type[] arguments = benchmarkCase.Descriptor.Type.GetGenericArguments();
        return arguments.Length == 1 && arguments[0] == typeof(double) ? sizeof(double) : sizeof(float);
    }
}
