using System.Globalization;
using System.Text;
using FastLogReg.IO;
using Xunit;

namespace FastLogReg.Tests.IO;

/// <summary>
/// A file without quotes is cut into pieces that the cores parse on their own: the rows, values, labels and the first
/// error reported must be those of the one-stream parse, whatever the thread count, the line endings and where the
/// blank lines and the cuts fall. The files are a few MB so that they are cut into about a dozen pieces.
/// </summary>
public class CsvFilePiecesTests
{
    private const int Rows = 30_000;
    private const int Columns = 12;

    private static readonly string[] Header = [.. Enumerable.Range(0, Columns).Select(j => "f" + j), "label"];

    /// <summary>A labelled CSV; <paramref name="edit"/> may replace a line's text by its 1-based line number.</summary>
    private static string MakeCsv(int seed, string newline = "\n", bool quoted = false, bool finalNewline = true, Func<int, string, string>? edit = null)
    {
        var rng = new Random(seed);
        var text = new StringBuilder(string.Join(",", Header)).Append(newline);
        int line = 1;
        for (int i = 0; i < Rows; i++)
        {
            if (i % 997 == 500 || i % 2003 == 7)
            {
                text.Append(newline); // blank lines: rows and lines drift apart, and some pieces start or end with one
                line++;
            }

            line++;
            var row = new StringBuilder();
            for (int j = 0; j < Columns; j++)
            {
                double value = rng.NextDouble() * 200 - 100;
                string cell = (i % 4 == 0 ? j % 3 : 1 + (j % 2)) switch
                {
                    0 => value.ToString("R", CultureInfo.InvariantCulture), // 17 digits: a row read field by field
                    1 => ((float)value).ToString("R", CultureInfo.InvariantCulture), // short: rows read in 64-byte windows
                    _ => value.ToString("F2", CultureInfo.InvariantCulture),
                };
                row.Append(quoted && j == 5 ? $"\"{cell}\"" : cell).Append(',');
            }

            row.Append(rng.Next(2) == 0 ? "benign" : "malignant");
            text.Append(edit is null ? row.ToString() : edit(line, row.ToString()));
            if (finalNewline || i < Rows - 1)
            {
                text.Append(newline);
            }
        }

        return text.ToString();
    }

    private static CsvPieces<float>? Cut(string path, int threads)
    {
        int[] features = [.. Enumerable.Range(0, Columns)];
        return CsvFilePieces.TryParse(path, ',', new CsvRowParser<float>(Header, features, Columns), Columns, withLabels: true, threads);
    }

    private static LabeledData<float> OneStream(string path)
    {
        using var text = new StreamReader(path);
        return CsvDataReader.Read<float>(text, path, new CsvReadOptions { MaxDegreeOfParallelism = 1 });
    }

    private static string ReplaceCell(string row, int column, string value)
    {
        string[] cells = row.Split(',');
        cells[column] = value;
        return string.Join(",", cells);
    }

    [Theory]
    [InlineData("\n", true)]
    [InlineData("\r\n", true)]
    [InlineData("\n", false)]
    [InlineData("\r\n", false)]
    public void PiecesGiveTheOneStreamParseBitForBit(string newline, bool finalNewline)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("pieces.csv", MakeCsv(11, newline, finalNewline: finalNewline));
        Assert.True(Cut(path, 2)?.Pieces.Length > 4, "the file must be cut into several pieces");

        LabeledData<float> expected = OneStream(path);
        Assert.Equal(Rows, expected.Data.Rows);
        foreach (int threads in new[] { 2, 3, 8 })
        {
            LabeledData<float> actual = CsvDataReader.Read<float>(path, new CsvReadOptions { MaxDegreeOfParallelism = threads });
            Assert.Equal(expected.Data.Rows, actual.Data.Rows);
            Assert.Equal(expected.Data.Features.ToArray(), actual.Data.Features.ToArray());
            Assert.Equal(expected.Data.Labels.ToArray(), actual.Data.Labels.ToArray());
            Assert.Equal(expected.Labels, actual.Labels);
        }
    }

    [Fact]
    public void AUtf8ByteOrderMarkIsSkippedAndFeaturesAloneReadTheSame()
    {
        using var dir = new TempDirectory();
        string path = dir.File("bom.csv");
        File.WriteAllText(path, MakeCsv(12), new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        Assert.NotNull(Cut(path, 2));

        LabeledData<float> expected = OneStream(path);
        Assert.Equal(expected.Data.Features.ToArray(), CsvDataReader.Read<float>(path, new CsvReadOptions { MaxDegreeOfParallelism = 2 }).Data.Features.ToArray());

        var select = new CsvReadOptions { FeatureColumns = ["f3", "f0"], MaxDegreeOfParallelism = 2 };
        FeatureTable<double> table = CsvDataReader.ReadFeatures<double>(path, select);
        using var text = new StreamReader(path);
        FeatureTable<double> streamed = CsvDataReader.ReadFeatures<double>(text, path, select with { MaxDegreeOfParallelism = 1 });
        Assert.Equal(2, table.Columns);
        Assert.Equal(streamed.Features.ToArray(), table.Features.ToArray());
    }

    [Fact]
    public void QuotedOrUtf16FilesAreNotCutAndStillReadTheSame()
    {
        using var dir = new TempDirectory();
        string quoted = dir.Write("quoted.csv", MakeCsv(13, quoted: true));
        string utf16 = dir.File("utf16.csv");
        File.WriteAllText(utf16, MakeCsv(14), Encoding.Unicode);

        // A quoted field may hold a line break, so a cut could land inside a row; a '\n' byte is not a line break in UTF-16.
        Assert.Null(Cut(quoted, 2));
        Assert.Null(Cut(utf16, 2));
        foreach (string path in new[] { quoted, utf16 })
        {
            Assert.Equal(OneStream(path).Data.Features.ToArray(), CsvDataReader.Read<float>(path, new CsvReadOptions { MaxDegreeOfParallelism = 2 }).Data.Features.ToArray());
        }
    }

    [Fact]
    public void AQuotePastAPiecesFirstReadStillStopsTheCut()
    {
        // Lines are counted a few hundred kilobytes at a time: a quote in a later read of a piece must be seen too.
        using var dir = new TempDirectory();
        string plain = MakeCsv(16);
        CsvPiece<float> first = Cut(dir.Write("plain.csv", plain), 1)!.Pieces[0];
        Assert.True(first.Length > 300_000, "the first piece must span more than one read");

        int at = plain.IndexOf('\n', 290_000) + 1; // a row well past the first read, inside the first piece
        string quoted = plain[..at] + "\"" + plain[at..plain.IndexOf(',', at)] + "\"" + plain[plain.IndexOf(',', at)..];
        string path = dir.Write("quoted.csv", quoted);
        Assert.Null(Cut(path, 1));
        Assert.Equal(OneStream(path).Data.Features.ToArray(), CsvDataReader.Read<float>(path, new CsvReadOptions { MaxDegreeOfParallelism = 1 }).Data.Features.ToArray());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    public void TheFirstErrorInTheFileIsReportedAsTheOneStreamParseReportsIt(int threads)
    {
        using var dir = new TempDirectory();
        var cases = new (string Name, Func<int, string, string> Edit)[]
        {
            // Two bad cells far apart (different pieces): the first one.
            ("cells", (line, row) => line == 21_000 ? ReplaceCell(row, 3, "1.2.3") : line == 25_000 ? ReplaceCell(row, 7, "x") : row),

            // A third label value before a bad cell in a later piece: the label.
            ("label first", (line, row) => line == 9_000 ? row.Replace("benign", "unknown").Replace("malignant", "unknown") : line == 27_000 ? ReplaceCell(row, 1, "NaN") : row),

            // A bad cell before a third label value: the cell.
            ("cell first", (line, row) => line == 9_000 ? ReplaceCell(row, 0, "1e999") : line == 27_000 ? row.Replace("benign", "unknown").Replace("malignant", "unknown") : row),

            // A ragged row.
            ("ragged", (line, row) => line == 17_500 ? row + ",3.5" : row),
        };

        foreach ((string name, Func<int, string, string> edit) in cases)
        {
            string path = dir.Write(name + ".csv", MakeCsv(15, "\r\n", edit: edit));
            var expected = Assert.Throws<DataFormatException>(() => OneStream(path));
            var actual = Assert.Throws<DataFormatException>(() => CsvDataReader.Read<float>(path, new CsvReadOptions { MaxDegreeOfParallelism = threads }));
            Assert.Equal(expected.Message, actual.Message);
            Assert.Equal(expected.Line, actual.Line);
            Assert.Equal(expected.Column, actual.Column);
        }
    }

    [Fact]
    public void AFileOfBlankLinesHasNoRowsOnTheSameLine()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("blank.csv", "a,b,label\n" + new string('\n', 1_200_000));
        Assert.NotNull(Cut(path, 2));

        var expected = Assert.Throws<DataFormatException>(() => OneStream(path));
        var actual = Assert.Throws<DataFormatException>(() => CsvDataReader.Read<float>(path, new CsvReadOptions { MaxDegreeOfParallelism = 2 }));
        Assert.Contains("no rows", actual.Message);
        Assert.Equal(expected.Message, actual.Message);
    }
}
