using System.Globalization;
using System.Text;
using FastLogReg.IO;
using Xunit;

namespace FastLogReg.Tests.IO;

/// <summary>
/// Reading a LIBSVM file in row ranges (how each shard of a sharded fit reads its own rows): the outline's rows, columns,
/// labels and per-row non-zeros equal the whole-file reader's, and every range reads exactly its slice of the rows —
/// across comments, blank lines, qid fields, CRLF endings and the outline's checkpoints.
/// </summary>
public sealed class LibSvmRowRangeTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(1, 2600, false)]
    [InlineData(2, 1025, true)]
    [InlineData(3, 5, false)]
    public void Every_range_reads_the_rows_the_whole_file_reader_gives(int seed, int rows, bool crlf)
    {
        var random = new Random(seed);
        string newline = crlf ? "\r\n" : "\n";
        var text = new StringBuilder("# a comment line" + newline);
        for (int i = 0; i < rows; i++)
        {
            if (random.Next(12) == 0)
            {
                text.Append(random.Next(2) == 0 ? "  # only a comment" : string.Empty).Append(newline);
            }

            text.Append(random.Next(2) == 0 ? "+1" : "-1");
            if (i % 7 == 0)
            {
                text.Append(" qid:").Append(i % 5);
            }

            int column = 0;
            for (int k = random.Next(0, 6); k > 0; k--)
            {
                column += 1 + random.Next(40);
                text.Append(CultureInfo.InvariantCulture, $" {column}:{random.NextDouble() - 0.5:R}");
            }

            text.Append(random.Next(5) == 0 ? " # trailing" : string.Empty).Append(newline);
        }

        string path = _dir.Write("data.libsvm", text.ToString());
        SparseLabeledData<double> whole = LibSvmDataReader.ReadSparse<double>(path);
        LibSvmOutline outline = LibSvmDataReader.Outline(path);
        Assert.Equal(whole.Data.Rows, outline.Rows);
        Assert.Equal(whole.Data.Columns, outline.Columns);
        Assert.Equal(whole.Labels, outline.Labels);
        Assert.Equal(whole.Data.Matrix.RowOffsets.ToArray(), outline.RowOffsets.ToArray());

        var options = new LibSvmReadOptions { Labels = outline.Labels, Columns = outline.Columns };
        foreach (int first in new[] { 0, 1, rows / 3, 1023, 1024, 2047, rows - 1 }.Where(s => s >= 0 && s < rows).Distinct())
        {
            int count = Math.Min(rows - first, 1 + random.Next(Math.Max(rows / 2, 1)));
            SparseLabeledData<double> part = LibSvmDataReader.ReadRange<double>(path, outline.Range(first, count), options);
            long from = whole.Data.Matrix.RowOffsets.Span[first], to = whole.Data.Matrix.RowOffsets.Span[first + count];
            Assert.Equal(count, part.Data.Rows);
            Assert.Equal(outline.Columns, part.Data.Columns);
            Assert.Equal(whole.Data.Matrix.RowOffsets.Span.Slice(first, count + 1).ToArray().Select(o => o - from), part.Data.Matrix.RowOffsets.ToArray());
            Assert.True(whole.Data.Matrix.ColumnIndices.Span[(int)from..(int)to].SequenceEqual(part.Data.Matrix.ColumnIndices.Span), $"indices of rows {first}+{count}");
            Assert.True(whole.Data.Matrix.Values.Span[(int)from..(int)to].SequenceEqual(part.Data.Matrix.Values.Span), $"values of rows {first}+{count}");
            Assert.True(whole.Data.Labels.Slice(first, count).Span.SequenceEqual(part.Data.Labels.Span), $"labels of rows {first}+{count}");
        }
    }

    [Fact]
    public void A_bad_value_in_a_range_is_reported_on_the_files_own_line_and_options_are_required()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 3000; i++)
        {
            text.Append(i % 2).Append(i == 2500 ? " 3:oops\n" : $" 3:{i}\n");
        }

        string path = _dir.Write("bad.libsvm", text.ToString());
        LibSvmOutline outline = LibSvmDataReader.Outline(path); // no value parsed: the bad one is the range's to find
        var options = new LibSvmReadOptions { Labels = outline.Labels, Columns = outline.Columns };
        var whole = Assert.Throws<DataFormatException>(() => LibSvmDataReader.ReadSparse<double>(path));
        var part = Assert.Throws<DataFormatException>(() => LibSvmDataReader.ReadRange<double>(path, outline.Range(2048, 952), options));
        Assert.Equal(2501, part.Line);
        Assert.Equal(whole.Message, part.Message);
        Assert.Equal(900, LibSvmDataReader.ReadRange<double>(path, outline.Range(1000, 900), options).Data.Rows);
        Assert.Throws<ArgumentException>(() => LibSvmDataReader.ReadRange<double>(path, outline.Range(0, 10), new LibSvmReadOptions { Labels = outline.Labels }));
        Assert.Contains("not a finite number", Assert.Throws<DataFormatException>(() => LibSvmDataReader.Outline(_dir.Write("label.libsvm", "1 1:2\nyes 1:3\n"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_byte_order_mark_before_the_first_row_is_skipped_in_ranges_too()
    {
        string path = _dir.File("bom.svm");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("1 1:2\n0 2:3\n1 1:4\n")]);
        LibSvmOutline outline = LibSvmDataReader.Outline(path);
        SparseLabeledData<double> first = LibSvmDataReader.ReadRange<double>(path, outline.Range(0, 2), new LibSvmReadOptions { Labels = outline.Labels, Columns = outline.Columns });
        Assert.Equal(LibSvmDataReader.ReadSparse<double>(path).Data.Labels.Slice(0, 2).ToArray(), first.Data.Labels.ToArray());
    }
}
