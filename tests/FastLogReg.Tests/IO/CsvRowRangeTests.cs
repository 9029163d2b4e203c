using System.Globalization;
using System.Text;
using FastLogReg.IO;
using Xunit;

namespace FastLogReg.Tests.IO;

/// <summary>
/// Reading a CSV file in row ranges (how each shard of a sharded fit reads its own rows): the outline finds the rows,
/// columns and label mapping of the whole file, and every range reads exactly the rows the whole-file reader gives —
/// across blank lines, CRLF endings, a byte-order mark, a label column in the middle and the outline's checkpoints.
/// </summary>
public sealed class CsvRowRangeTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(1, 2500, false, false)]
    [InlineData(2, 3073, true, true)]
    [InlineData(3, 1024, true, false)]
    [InlineData(4, 7, false, true)]
    public void Every_range_reads_the_rows_the_whole_file_reader_gives(int seed, int rows, bool crlf, bool bom)
    {
        var random = new Random(seed);
        string newline = crlf ? "\r\n" : "\n";
        var text = new StringBuilder(bom ? "\uFEFF" : string.Empty).Append("a;kind;b;c").Append(newline);
        for (int i = 0; i < rows; i++)
        {
            if (random.Next(10) == 0)
            {
                text.Append(random.Next(2) == 0 ? "   " : string.Empty).Append(newline); // a blank line
            }

            string kind = random.Next(3) == 0 ? "spam" : "ham";
            text.Append(CultureInfo.InvariantCulture, $"{random.NextDouble() - 0.5:R}; {kind} ;{random.Next(100)};{random.NextDouble() * 1e3:R}{newline}");
        }

        string path = _dir.Write("data.csv", text.ToString());
        var options = new CsvReadOptions { LabelColumn = "kind" };
        LabeledData<double> whole = CsvDataReader.Read<double>(path, options);
        CsvOutline outline = CsvDataReader.Outline(path, options);
        Assert.Equal(whole.Data.Rows, outline.Rows);
        Assert.Equal(whole.FeatureNames, outline.FeatureNames);
        Assert.Equal(whole.Labels, outline.Labels);
        Assert.Equal(';', outline.Separator);

        var withLabels = options with { Labels = outline.Labels };
        int[] starts = [0, 1, rows / 3, 1023, 1024, 1025, 2047, rows - 1];
        foreach (int first in starts.Where(s => s >= 0 && s < rows).Distinct())
        {
            int count = Math.Min(rows - first, 1 + random.Next(Math.Max(rows / 2, 1)));
            LabeledData<double> part = CsvDataReader.ReadRange<double>(path, outline.Range(first, count), withLabels);
            Assert.Equal(count, part.Data.Rows);
            Assert.True(whole.Data.Features.Slice(first * 3, count * 3).Span.SequenceEqual(part.Data.Features.Span), $"features of rows {first}+{count}");
            Assert.True(whole.Data.Labels.Slice(first, count).Span.SequenceEqual(part.Data.Labels.Span), $"labels of rows {first}+{count}");
        }
    }

    [Fact]
    public void A_bad_value_in_a_range_is_reported_on_the_files_own_line()
    {
        var text = new StringBuilder("x,y\n");
        for (int i = 0; i < 3000; i++)
        {
            text.Append(i == 2500 ? "oops" : i.ToString(CultureInfo.InvariantCulture)).Append(i % 2 == 0 ? ",0\n" : ",1\n");
        }

        string path = _dir.Write("bad.csv", text.ToString());
        CsvOutline outline = CsvDataReader.Outline(path); // the outline parses no feature: the bad value is the range's to find
        var options = new CsvReadOptions { Labels = outline.Labels };
        var whole = Assert.Throws<DataFormatException>(() => CsvDataReader.Read<double>(path));
        var part = Assert.Throws<DataFormatException>(() => CsvDataReader.ReadRange<double>(path, outline.Range(2048, 952), options));
        Assert.Equal(2502, part.Line);
        Assert.Equal(whole.Message, part.Message);
        Assert.Equal(900, CsvDataReader.ReadRange<double>(path, outline.Range(1000, 900), options).Data.Rows); // other ranges read
    }

    [Fact]
    public void A_quoted_header_reads_its_ranges_too()
    {
        // The cut-file parser declines a quoted header; the range is then parsed from memory — the same rows.
        var text = new StringBuilder("\"x 1\",\"x 2\",\"y\"\n");
        for (int i = 0; i < 2100; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i},{i * 0.5},{i % 3 % 2}\n");
        }

        string path = _dir.Write("quoted-header.csv", text.ToString());
        CsvOutline outline = CsvDataReader.Outline(path);
        Assert.Equal(["x 1", "x 2"], outline.FeatureNames);
        LabeledData<double> part = CsvDataReader.ReadRange<double>(path, outline.Range(1500, 600), new CsvReadOptions { Labels = outline.Labels });
        Assert.Equal(1500.0, part.Data.Features.Span[0]);
        Assert.Equal(2099 * 0.5, part.Data.Features.Span[^1]);
    }

    [Fact]
    public void A_range_of_one_class_reads_with_the_files_mapping()
    {
        string path = _dir.Write("sorted.csv", "x,y\n1,no\n2,no\n3,no\n4,yes\n");
        CsvOutline outline = CsvDataReader.Outline(path);
        Assert.Equal(new LabelMapping("no", "yes"), outline.Labels);
        LabeledData<float> first = CsvDataReader.ReadRange<float>(path, outline.Range(0, 3), new CsvReadOptions { Labels = outline.Labels });
        Assert.Equal([0f, 0f, 0f], first.Data.Labels.ToArray());
        var missing = Assert.Throws<ArgumentException>(() => CsvDataReader.ReadRange<float>(path, outline.Range(0, 3), new CsvReadOptions()));
        Assert.Contains("label mapping", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_outline_refuses_what_it_cannot_cut_and_a_changed_file_is_caught()
    {
        string quoted = _dir.Write("quoted.csv", "x,y\n1,0\n\"2\",1\n");
        var quote = Assert.Throws<DataFormatException>(() => CsvDataReader.Outline(quoted));
        Assert.Equal(3, quote.Line);
        Assert.Contains("quote", quote.Message, StringComparison.Ordinal);

        string three = _dir.Write("three.csv", "x,y\n1,a\n2,b\n3,c\n");
        Assert.Contains("third label value 'c'", Assert.Throws<DataFormatException>(() => CsvDataReader.Outline(three)).Message, StringComparison.Ordinal);
        Assert.Contains("every label", Assert.Throws<DataFormatException>(() => CsvDataReader.Outline(_dir.Write("one.csv", "x,y\n1,a\n2,a\n"))).Message, StringComparison.Ordinal);
        Assert.Contains("no rows", Assert.Throws<DataFormatException>(() => CsvDataReader.Outline(_dir.Write("empty.csv", "x,y\n\n"))).Message, StringComparison.Ordinal);

        string path = _dir.Write("shrinks.csv", "x,y\n1,0\n2,1\n3,0\n4,1\n");
        CsvOutline outline = CsvDataReader.Outline(path);
        File.WriteAllText(path, "x,y\n1,0\n2,1\n");
        var changed = Assert.Throws<DataFormatException>(() => CsvDataReader.ReadRange<double>(path, outline.Range(1, 3), new CsvReadOptions { Labels = outline.Labels }));
        Assert.Contains("when it was outlined: it changed", changed.Message, StringComparison.Ordinal);

        Assert.Contains("lone carriage returns", Assert.Throws<DataFormatException>(() => CsvDataReader.Outline(_dir.Write("cr.csv", "x,y\r1,0\r2,1\r"))).Message, StringComparison.Ordinal);
        Assert.Contains("line 1 is blank", Assert.Throws<DataFormatException>(() => CsvDataReader.Outline(_dir.Write("blank1.csv", "\nx,y\n1,0\n2,1\n"))).Message, StringComparison.Ordinal);
        Assert.IsType<DataFormatException>(Record.Exception(() => CsvDataReader.Outline(path, new CsvReadOptions { Separator = '§' })));
    }

    [Fact]
    public void Unicode_blank_lines_and_tab_led_labels_outline_as_the_reader_reads_them()
    {
        // A line of no-break spaces is blank to the reader (it trims Unicode white space); a tab before a label is kept.
        string path = _dir.Write("unicode.csv", "x,y\n1,a\n\u00A0\u2003\n2,\tb\n3,a\n4,\tb\n");
        LabeledData<double> whole = CsvDataReader.Read<double>(path);
        CsvOutline outline = CsvDataReader.Outline(path);
        Assert.Equal(whole.Data.Rows, outline.Rows);
        Assert.Equal(whole.Labels, outline.Labels);
        LabeledData<double> part = CsvDataReader.ReadRange<double>(path, outline.Range(1, 3), new CsvReadOptions { Labels = outline.Labels });
        Assert.Equal(whole.Data.Labels.Slice(1, 3).ToArray(), part.Data.Labels.ToArray());
    }
}
