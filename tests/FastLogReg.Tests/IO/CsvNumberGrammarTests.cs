using System.Text;
using FastLogReg.IO;
using Xunit;

namespace FastLogReg.Tests.IO;

/// <summary>
/// Only the invariant float grammar is a number: a comma is never a thousands separator, text after a closing quote is
/// not ignored, and every rejection names the file, line, column and value. Files with a decimal comma read with an
/// option, never by accident.
/// </summary>
public class CsvNumberGrammarTests
{
    private static LabeledData<double> Read(string text, CsvReadOptions? options = null) =>
        CsvDataReader.Read<double>(new StringReader(text), "grammar.csv", options);

    [Theory]
    [InlineData("1,5")]
    [InlineData("5,")]
    [InlineData(",5")]
    [InlineData("1,000")]
    [InlineData("1,000.5")]
    [InlineData("1 000")]
    [InlineData("1.2.3")]
    [InlineData("--1")]
    [InlineData("1e")]
    [InlineData("e5")]
    [InlineData("0x10")]
    [InlineData("1_000")]
    [InlineData("$5")]
    [InlineData("5%")]
    [InlineData("(5)")]
    [InlineData("+")]
    [InlineData(".")]
    [InlineData("Infinity")]
    [InlineData("NaN")]
    [InlineData("1e999")]
    [InlineData("١")]
    public void NonNumbersInASemicolonFileAreRejectedWithLineColumnAndValue(string value)
    {
        var e = Assert.Throws<DataFormatException>(() => Read($"a;b;y\n1;2;0\n3;{value};1\n"));
        Assert.Equal(3, e.Line);
        Assert.Equal(2, e.Column);
        Assert.Contains($"'{value}'", e.Message);
        Assert.Contains("column 'b'", e.Message);
    }

    [Theory]
    [InlineData("\"4,5\"")]
    [InlineData("\"1,2,3\"")]
    [InlineData("\"1\"2")]
    [InlineData("\"1\"\"2\"")]
    [InlineData("\"\"")]
    public void QuotedNonNumbersInACommaFileAreRejected(string value)
    {
        var e = Assert.Throws<DataFormatException>(() => Read($"a,b,y\n1,2,0\n3,{value},1\n"));
        Assert.Equal(3, e.Line);
        Assert.Equal(2, e.Column);
    }

    [Fact]
    public void TextAfterAClosingQuoteIsNamed()
    {
        var e = Assert.Throws<DataFormatException>(() => Read("a,b,y\n1,\"1\"2,0\n3,4,1\n"));
        Assert.Contains("after its closing quote", e.Message);
    }

    [Fact]
    public void DecimalCommaLookalikeGetsAHint()
    {
        var e = Assert.Throws<DataFormatException>(() => Read("a;y\n1,5;0\n2;1\n"));
        Assert.Contains("--decimal-comma", e.Message);
        Assert.Contains("DecimalComma", e.Message);
    }

    [Theory]
    [InlineData("1", 1.0)]
    [InlineData("-2.5", -2.5)]
    [InlineData("+3", 3.0)]
    [InlineData("1e-3", 0.001)]
    [InlineData("4E+2", 400.0)]
    [InlineData(".5", 0.5)]
    [InlineData("\"7.25\"", 7.25)]
    [InlineData(" 8 ", 8.0)]
    public void TheInvariantGrammarIsANumber(string value, double expected)
    {
        var data = Read($"a,y\n{value},0\n0,1\n");
        Assert.Equal(expected, data.Data.Features.Span[0]);
    }

    [Fact]
    public void DecimalCommaFilesReadWithTheOption()
    {
        var data = Read("a;b;y\n1,5;-0,25;0\n\"2,0\";3;1\n", new CsvReadOptions { DecimalComma = true });
        Assert.Equal([1.5, -0.25, 2.0, 3.0], data.Data.Features.ToArray());

        var e = Assert.Throws<DataFormatException>(() => Read("a;y\n1.5;0\n2;1\n", new CsvReadOptions { DecimalComma = true }));
        Assert.Contains("decimal comma", e.Message);
        Assert.Throws<DataFormatException>(() => Read("a;y\n1,000,5;0\n2;1\n", new CsvReadOptions { DecimalComma = true }));
    }

    [Fact]
    public void UnterminatedQuoteSaysSo()
    {
        var e = Assert.Throws<DataFormatException>(() => Read("a,b,y\n1,2,0\n\"3,4,1\n5,6,0\n"));
        Assert.Contains("never closed", e.Message);
        Assert.Equal(3, e.Line);
    }

    [Fact]
    public void QuotedLabelsAndHeadersAreUnquoted()
    {
        var data = Read("\"a\",\"b \"\"x\"\"\",\"y\"\n1,2,\"yes, sir\"\n3,4,no\n");
        Assert.Equal(["a", "b \"x\""], data.FeatureNames);
        Assert.Equal(new LabelMapping("no", "yes, sir"), data.Labels);
    }

    [Fact]
    public void ACommaNumberFarIntoALargeFileIsRejectedOnEveryPath()
    {
        // Above the size where the file is cut into pieces parsed in parallel (plain rows from bytes, the rest by Sep).
        using var dir = new TempDirectory();
        var text = new StringBuilder("a;b;y\n");
        int rows = (int)(CsvDataReader.ParallelThresholdBytes / 12) + 1000;
        for (int i = 0; i < rows; i++)
        {
            text.Append(i == rows - 10 ? "1,5" : "1.25").Append(";2;").Append(i % 2).Append('\n');
        }

        string path = dir.Write("big.csv", text.ToString());
        foreach (int threads in new[] { 1, 2 })
        {
            var e = Assert.Throws<DataFormatException>(() => CsvDataReader.Read<double>(path, new CsvReadOptions { MaxDegreeOfParallelism = threads }));
            Assert.Equal(rows - 10 + 2, e.Line);
            Assert.Equal(1, e.Column);
            Assert.Contains("'1,5'", e.Message);
        }

        // With a decimal comma, every piece is read by the strict parser: a '.' anywhere is an error, commas are decimals.
        var mixed = Assert.Throws<DataFormatException>(() => CsvDataReader.Read<double>(path, new CsvReadOptions { DecimalComma = true }));
        Assert.Equal(2, mixed.Line);
        string commas = dir.Write("commas.csv", text.ToString().Replace("1.25", "1,25", StringComparison.Ordinal));
        LabeledData<double> fine = CsvDataReader.Read<double>(commas, new CsvReadOptions { DecimalComma = true });
        Assert.Equal(1.5, fine.Data.Features.Span[(rows - 10) * 2]);
        Assert.Equal(1.25, fine.Data.Features.Span[0]);
    }

    [Fact]
    public void PlainPiecesOfALargeFileAreNotReadAsDecimalPointsUnderADecimalComma()
    {
        using var dir = new TempDirectory();
        var text = new StringBuilder("a;y\n");
        int rows = (int)(CsvDataReader.ParallelThresholdBytes / 8) + 1000;
        for (int i = 0; i < rows; i++)
        {
            text.Append("1.5;").Append(i % 2).Append('\n');
        }

        string path = dir.Write("points.csv", text.ToString());
        var e = Assert.Throws<DataFormatException>(() => CsvDataReader.Read<double>(path, new CsvReadOptions { DecimalComma = true }));
        Assert.Contains("decimal comma", e.Message);
    }
}
