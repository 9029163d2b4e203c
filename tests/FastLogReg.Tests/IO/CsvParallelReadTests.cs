using System.Globalization;
using System.Text;
using FastLogReg.IO;
using Xunit;

namespace FastLogReg.Tests.IO;

/// <summary>
/// Rows are parsed on several threads: the result, and the first error reported, must not depend on how many.
/// The files are a few MB so that the parallel path is taken and rows travel in many batches.
/// </summary>
public class CsvParallelReadTests
{
    private const int Rows = 30_000;
    private const int Columns = 12;

    private static string MakeCsv(Random rng, int badLine1 = -1, string badValue1 = "", int badLine2 = -1, string badValue2 = "")
    {
        var text = new StringBuilder();
        text.AppendLine(string.Join(",", Enumerable.Range(0, Columns).Select(j => "f" + j)) + ",label");
        int line = 1;
        for (int i = 0; i < Rows; i++)
        {
            line++;
            if (i % 997 == 500)
            {
                text.AppendLine(); // blank lines shift row numbers against line numbers
                line++;
            }

            for (int j = 0; j < Columns; j++)
            {
                string cell = (rng.NextDouble() * 200 - 100).ToString("R", CultureInfo.InvariantCulture);
                if (line == badLine1 && j == 3)
                {
                    cell = badValue1;
                }
                else if (line == badLine2 && j == 7)
                {
                    cell = badValue2;
                }

                text.Append(j == 5 ? $" \"{cell}\" " : cell).Append(',');
            }

            text.AppendLine(rng.Next(2) == 0 ? "benign" : "malignant");
        }

        return text.ToString();
    }

    [Fact]
    public void EveryThreadCountGivesTheSameBitsAsTheOneThreadRead()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("big.csv", MakeCsv(new Random(7)));
        Assert.True(new FileInfo(path).Length > CsvDataReader.ParallelThresholdBytes, "the file must be large enough to take the parallel path");

        LabeledData<float> one = CsvDataReader.Read<float>(path, new CsvReadOptions { MaxDegreeOfParallelism = 1 });
        Assert.Equal(Rows, one.Data.Rows);
        foreach (int threads in new[] { 2, 3, 8 })
        {
            LabeledData<float> many = CsvDataReader.Read<float>(path, new CsvReadOptions { MaxDegreeOfParallelism = threads });
            Assert.Equal(one.Data.Features.ToArray(), many.Data.Features.ToArray());
            Assert.Equal(one.Data.Labels.ToArray(), many.Data.Labels.ToArray());
            Assert.Equal(one.Labels, many.Labels);
        }

        // And the one-thread read agrees with float.Parse on the text itself (quoted, space-padded cells included).
        string[] lines = File.ReadAllLines(path).Skip(1).Where(l => l.Length > 0).ToArray();
        float[] features = one.Data.Features.ToArray();
        for (int i = 0; i < Rows; i += 1234)
        {
            string[] cells = lines[i].Split(',');
            for (int j = 0; j < Columns; j++)
            {
                Assert.Equal(float.Parse(cells[j].Trim().Trim('"'), CultureInfo.InvariantCulture), features[(i * Columns) + j]);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void TheFirstBadRowInTheFileIsReportedWhicheverThreadParsedIt(int threads)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("bad.csv", MakeCsv(new Random(3), badLine1: 21_000, badValue1: "1.2.3", badLine2: 25_000, badValue2: "x"));

        var e = Assert.Throws<DataFormatException>(() => CsvDataReader.Read<double>(path, new CsvReadOptions { MaxDegreeOfParallelism = threads }));
        Assert.Equal(21_000, e.Line);
        Assert.Equal(4, e.Column);
        Assert.Contains("'1.2.3'", e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void AThirdLabelValueNamesItsLine(int threads)
    {
        using var dir = new TempDirectory();
        string text = MakeCsv(new Random(5));
        string[] lines = text.Split('\n');
        lines[20_000] = lines[20_000].Replace("benign", "unknown", StringComparison.Ordinal).Replace("malignant", "unknown", StringComparison.Ordinal);
        string path = dir.Write("third.csv", string.Join('\n', lines));

        var e = Assert.Throws<DataFormatException>(() => CsvDataReader.Read<double>(path, new CsvReadOptions { MaxDegreeOfParallelism = threads }));
        Assert.Equal(20_001, e.Line);
        Assert.Contains("third label value 'unknown'", e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void AnUnclosedQuoteIsReportedOnItsLine(int threads)
    {
        // The quote swallows the rest of the file into one row thousands of lines long; Sep's parallel mode was measured
        // giving such a row's first line as 2.
        using var dir = new TempDirectory();
        string[] lines = MakeCsv(new Random(9)).Split('\n');
        lines[19_999] = "\"" + lines[19_999];
        string path = dir.Write("unclosed.csv", string.Join('\n', lines));

        using var text = new StreamReader(path);
        var e = Assert.Throws<DataFormatException>(() => CsvDataReader.Read<double>(text, path, new CsvReadOptions { MaxDegreeOfParallelism = threads }));
        Assert.Equal(20_000, e.Line);
        Assert.Contains("fields but the header has", e.Message);
    }

    [Fact]
    public void ADegreeBelowOneIsRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new CsvReadOptions { MaxDegreeOfParallelism = 0 });
        Assert.Contains("MaxDegreeOfParallelism", e.Message);
    }
}
