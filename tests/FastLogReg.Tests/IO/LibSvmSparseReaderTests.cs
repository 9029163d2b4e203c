using System.Text;
using FastLogReg.Data;
using FastLogReg.IO;
using Xunit;

namespace FastLogReg.Tests.IO;

/// <summary>The LIBSVM reader's sparse rows: the same from a path (pieces on every core) and from a reader, and every edge of the format.</summary>
public class LibSvmSparseReaderTests
{
    private static SparseLabeledData<double> Read(string text, LibSvmReadOptions? options = null) =>
        LibSvmDataReader.ReadSparse<double>(new StringReader(text), "t.libsvm", options);

    /// <summary>About 9 MB of rows: three pieces; qid fields and comments with colons on some rows.</summary>
    private static string BigFile(int seed, int rows = 120_000)
    {
        var rng = new Random(seed);
        var text = new StringBuilder();
        for (int i = 0; i < rows; i++)
        {
            text.Append(rng.Next(2) == 0 ? "-1" : "+1");
            if (i % 101 == 0)
            {
                text.Append(" qid:7"); // a colon that is no non-zero: the pieces' slices hold fewer than their colons
            }

            int j = 0;
            int count = rng.Next(0, 12);
            for (int k = 0; k < count; k++)
            {
                j += 1 + rng.Next(300);
                text.Append(' ').Append(j).Append(':').Append((rng.NextDouble() * 10 - 5).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            }

            text.Append(i % 97 == 0 ? " # a comment: 3:4\n" : i % 89 == 0 ? "\r\n" : "\n");
        }

        return text.ToString();
    }

    [Fact]
    public void PiecesOnAnyThreadCountGiveTheRowsOfTheOneStreamRead()
    {
        using var dir = new TempDirectory();
        string text = BigFile(1);
        string path = dir.Write("big.libsvm", text);
        SparseLabeledData<double> stream = Read(text);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            SparseLabeledData<double> pieces = LibSvmDataReader.ReadSparse<double>(path, new LibSvmReadOptions { MaxDegreeOfParallelism = threads });
            Assert.Equal(stream.Data.Matrix.RowOffsets.ToArray(), pieces.Data.Matrix.RowOffsets.ToArray());
            Assert.Equal(stream.Data.Matrix.ColumnIndices.ToArray(), pieces.Data.Matrix.ColumnIndices.ToArray());
            Assert.Equal(stream.Data.Matrix.Values.ToArray(), pieces.Data.Matrix.Values.ToArray());
            Assert.Equal(stream.Data.Labels.ToArray(), pieces.Data.Labels.ToArray());
            Assert.Equal(stream.Labels, pieces.Labels);
        }
    }

    [Theory]
    [InlineData(3, "1:x")]
    [InlineData(70_000, "5:1 4:2")]
    [InlineData(119_000, "0:1")]
    public void TheFirstErrorOfABigFileIsTheSameOnAnyThreadCount(int row, string bad)
    {
        using var dir = new TempDirectory();
        string[] lines = BigFile(2).Split('\n');
        lines[row] = "+1 " + bad;
        string text = string.Join('\n', lines);
        string path = dir.Write("bad.libsvm", text);
        var one = Assert.Throws<DataFormatException>(() => Read(text));
        foreach (int threads in new[] { 1, 2 })
        {
            var pieces = Assert.Throws<DataFormatException>(() => LibSvmDataReader.ReadSparse<double>(path, new LibSvmReadOptions { MaxDegreeOfParallelism = threads }));
            Assert.Equal(one.Message.Replace("t.libsvm", path, StringComparison.Ordinal), pieces.Message);
            Assert.Equal(row + 1, pieces.Line);
        }
    }

    [Fact]
    public void SparseRowsEqualTheDenseRead()
    {
        string text = "+1 1:0.5 3:2 # first\n\n-1 2:-1\n+1\n";
        SparseLabeledData<double> sparse = Read(text);
        LabeledData<double> dense = LibSvmDataReader.Read<double>(new StringReader(text), "t.libsvm");
        Assert.Equal(3, sparse.Data.Columns);
        Assert.Equal([0L, 2, 3, 3], sparse.Data.Matrix.RowOffsets.ToArray());
        Assert.Equal([0, 2, 1], sparse.Data.Matrix.ColumnIndices.ToArray());
        Assert.Equal(dense.Data.Labels.ToArray(), sparse.Data.Labels.ToArray());
        Assert.Equal([0.5, 0, 2, 0, -1, 0, 0, 0, 0], dense.Data.Features.ToArray());
    }

    [Fact]
    public void ZeroBasedIndicesReadWhenAsked()
    {
        var e = Assert.Throws<DataFormatException>(() => Read("1 0:1 2:3\n0 1:1\n"));
        Assert.Contains("--zero-based", e.Message);
        SparseLabeledData<double> data = Read("1 0:1 2:3\n0 1:1\n", new LibSvmReadOptions { ZeroBased = true });
        Assert.Equal(3, data.Data.Columns);
        Assert.Equal([0, 2, 1], data.Data.Matrix.ColumnIndices.ToArray());
    }

    [Fact]
    public void QidFieldsAreIgnoredWithANote()
    {
        SparseLabeledData<double> data = Read("1 qid:3 1:1 2:3\n0 qid:3 1:2\n");
        Assert.Equal([0, 1, 0], data.Data.Matrix.ColumnIndices.ToArray());
        Assert.Contains("2 qid fields", Assert.Single(data.Notes));
        Assert.Contains("right after the label", Assert.Throws<DataFormatException>(() => Read("1 1:1 qid:3\n0 1:1\n")).Message);
    }

    [Theory]
    [InlineData("1 99999999999:1\n0 1:1\n", "larger than the largest supported index")]
    [InlineData("1 1:1\0\n0 1:1\n", "NUL")]
    [InlineData("1 1:1 1:2\n0 1:1\n", "strictly ascending")]
    [InlineData("1 a:2\n0 1:1\n", "not an integer")]
    [InlineData("yes 1:1\n0 1:1\n", "not a finite number")]
    [InlineData("1 1:1e999\n0 1:1\n", "not a finite number")]
    public void MalformedRowsNameLineAndField(string text, string expected)
    {
        var e = Assert.Throws<DataFormatException>(() => Read(text));
        Assert.Contains(expected, e.Message);
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public void ByteOrderMarkAndCrLfAreRead()
    {
        SparseLabeledData<double> data = Read("\uFEFF1 1:2\r\n0 2:1\r\n");
        Assert.Equal(2, data.Data.Rows);
        Assert.Equal([2.0, 1.0], data.Data.Matrix.Values.ToArray());
    }

    [Theory]
    [InlineData("1", "1.0")]
    [InlineData("+1", "1")]
    [InlineData("-0", "0")]
    [InlineData("1e0", "1")]
    public void NumericallyEqualLabelsAreOneClassWhateverTheirOrder(string a, string b)
    {
        foreach ((string first, string second) in new[] { (a, b), (b, a) })
        {
            string text = $"{first} 1:1\n{second} 1:2\n5 1:3\n{first} 1:4\n";
            SparseLabeledData<double> data = Read(text);
            Assert.Equal(2, data.Labels.Count);
            Assert.Equal([0.0, 0.0, 1.0, 0.0], data.Data.Labels.ToArray());
            LabeledData<double> csv = CsvDataReader.Read<double>(new StringReader($"x,y\n1,{first}\n2,{second}\n3,5\n4,{first}\n"), "t.csv");
            Assert.Equal([0.0, 0.0, 1.0, 0.0], csv.Data.Labels.ToArray());
        }
    }

    [Fact]
    public void ALabelOutsideTheModelsMappingNamesItsFirstLine()
    {
        var e = Assert.Throws<DataFormatException>(() => Read("1 1:1\n0 1:1\n1 1:1\n7 1:3\n7 1:1\n", new LibSvmReadOptions { Labels = new LabelMapping("0", "1") }));
        Assert.Equal(4, e.Line);
        Assert.Contains("'7'", e.Message);
        var csv = Assert.Throws<DataFormatException>(() => CsvDataReader.Read<double>(new StringReader("a,y\n1,0\n2,1\n3,maybe\n"), "e.csv", new CsvReadOptions { Labels = new LabelMapping("0", "1") }));
        Assert.Equal(4, csv.Line);
    }

    [Fact]
    public void AStrayHugeIndexStaysSparse()
    {
        SparseLabeledData<double> data = Read("1 1:1 100000000:2\n0 2:1\n1 3:1\n0 1:2\n");
        Assert.Equal(100_000_000, data.Data.Columns);
        Assert.Equal(5, data.Data.Matrix.NonZeros);
    }
}
