using FastLogReg.IO;
using Xunit;

namespace FastLogReg.Tests.IO;

public class CsvReaderTests
{
    private static LabeledData<double> Read(string text, CsvReadOptions? options = null) =>
        CsvDataReader.Read<double>(new StringReader(text), "test.csv", options);

    private static DataFormatException Fails(string text, CsvReadOptions? options = null) =>
        Assert.Throws<DataFormatException>(() => Read(text, options));

    [Theory]
    [InlineData(",")]
    [InlineData(";")]
    [InlineData("\t")]
    public void ReadsEverySeparatorWithTheLabelLast(string sep)
    {
        var data = Read($"a{sep}b{sep}y\n1.5{sep}-2{sep}0\n3{sep}4e-3{sep}1\n");
        Assert.Equal(["a", "b"], data.FeatureNames);
        Assert.Equal([1.5, -2, 3, 0.004], data.Data.Features.ToArray());
        Assert.Equal([0.0, 1.0], data.Data.Labels.ToArray());
        Assert.Equal(new LabelMapping("0", "1"), data.Labels);
    }

    [Fact]
    public void LabelColumnByNameOrNumber()
    {
        const string Text = "y,a,b\nyes,1,2\nno,3,4\n";
        var byName = Read(Text, new CsvReadOptions { LabelColumn = "y" });
        var byNumber = Read(Text, new CsvReadOptions { LabelColumn = "1" });
        Assert.Equal(["a", "b"], byName.FeatureNames);
        Assert.Equal(byName.Data.Features.ToArray(), byNumber.Data.Features.ToArray());
        Assert.Equal(new LabelMapping("no", "yes"), byName.Labels); // strings: the ordinally later one is positive
        Assert.Equal([1.0, 0.0], byName.Data.Labels.ToArray());
    }

    [Theory]
    [InlineData("-1", "1", "1")]
    [InlineData("1", "-1", "1")]
    [InlineData("2", "10", "10")]
    [InlineData("benign", "malignant", "malignant")]
    public void PositiveClassIsTheLargerNumberOrLaterString(string first, string second, string positive)
    {
        var data = Read($"a,y\n0,{first}\n1,{second}\n");
        Assert.Equal(positive, data.Labels.Positive);
        Assert.Equal(positive == first ? [1.0, 0.0] : [0.0, 1.0], data.Data.Labels.ToArray());
        var chosen = Read($"a,y\n0,{first}\n1,{second}\n", new CsvReadOptions { PositiveLabel = first });
        Assert.Equal(first, chosen.Labels.Positive);
        Assert.Equal([1.0, 0.0], chosen.Data.Labels.ToArray());
    }

    [Fact]
    public void QuotedFieldsAndBlankLinesAreHandled()
    {
        var data = Read("\"a\",\"b, c\",y\n\"1\",2,0\n\n3,\"4\",1\n");
        Assert.Equal(["a", "b, c"], data.FeatureNames);
        Assert.Equal([1.0, 2, 3, 4], data.Data.Features.ToArray());
    }

    [Fact]
    public void FeatureColumnsAreSelectedByName()
    {
        var data = Read("b,y,a,z\n1,0,2,9\n3,1,4,9\n", new CsvReadOptions { LabelColumn = "y", FeatureColumns = ["a", "b"] });
        Assert.Equal([2.0, 1, 4, 3], data.Data.Features.ToArray());
    }

    [Fact]
    public void RaggedRowNamesLine()
    {
        var e = Fails("a,b,y\n1,2,0\n1,2\n");
        Assert.Equal(3, e.Line);
        Assert.Contains("2 fields but the header has 3", e.Message);
        Assert.Contains("test.csv, line 3", e.Message);
    }

    [Fact]
    public void NonNumericValueNamesLineColumnAndValue()
    {
        var e = Fails("a,b,y\n1,2,0\n1,two,1\n");
        Assert.Equal(3, e.Line);
        Assert.Equal(2, e.Column);
        Assert.Contains("'two' in column 'b' is not a number", e.Message);
    }

    [Fact]
    public void NonFiniteValueIsRejected()
    {
        var e = Fails("a,y\nNaN,0\n1,1\n");
        Assert.Equal(2, e.Line);
        Assert.Contains("not finite", e.Message);
    }

    [Fact]
    public void MissingLabelColumnListsTheHeader()
    {
        var e = Fails("a,b\n1,0\n2,1\n", new CsvReadOptions { LabelColumn = "label" });
        Assert.Contains("no label column 'label'", e.Message);
        Assert.Contains("'a', 'b'", e.Message);
    }

    [Fact]
    public void ThreeClassesAreRejected()
    {
        var e = Fails("a,y\n1,0\n2,1\n3,2\n");
        Assert.Equal(4, e.Line);
        Assert.Contains("third label value '2'", e.Message);
    }

    [Fact]
    public void OneClassIsRejectedUnlessTheMappingIsGiven()
    {
        Assert.Contains("expected two classes", Fails("a,y\n1,1\n2,1\n").Message);
        var given = Read("a,y\n1,1\n2,1\n", new CsvReadOptions { Labels = new LabelMapping("0", "1") });
        Assert.Equal([1.0, 1.0], given.Data.Labels.ToArray());
        Assert.Contains("neither '0'", Fails("a,y\n1,1\n2,7\n", new CsvReadOptions { Labels = new LabelMapping("0", "1") }).Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a,y\n")]
    public void EmptyFileIsRejected(string text)
    {
        var e = Fails(text);
        Assert.Contains(text.Length == 0 ? "empty" : "no rows", e.Message);
    }
}

public class LibSvmReaderTests
{
    private static LabeledData<float> Read(string text, LibSvmReadOptions? options = null) =>
        LibSvmDataReader.Read<float>(new StringReader(text), "test.libsvm", options);

    private static DataFormatException Fails(string text) =>
        Assert.Throws<DataFormatException>(() => Read(text));

    [Fact]
    public void DensifiesSparseRowsWithCommentsAndBlankLines()
    {
        var data = Read("+1 1:0.5 3:2 # first\n\n-1 2:-1\n");
        Assert.Equal(3, data.Data.Columns);
        Assert.Equal([0.5f, 0, 2, 0, -1, 0], data.Data.Features.ToArray());
        Assert.Equal([1f, 0f], data.Data.Labels.ToArray());
        Assert.Equal(new LabelMapping("-1", "+1"), data.Labels);
        Assert.Equal(["f1", "f2", "f3"], data.FeatureNames);
    }

    [Fact]
    public void ReadsTheBundledLibLinearExampleShape()
    {
        var data = Read("1 1:1 2:2\n0 2:3\n", new LibSvmReadOptions { Columns = 5 });
        Assert.Equal(5, data.Data.Columns);
    }

    [Theory]
    [InlineData("1 2:1 1:1\n0 1:1\n", "strictly ascending")]
    [InlineData("1 2:1 2:1\n0 1:1\n", "strictly ascending")]
    [InlineData("1 0:1\n0 1:1\n", "not an integer ≥ 1")]
    [InlineData("1 -3:1\n0 1:1\n", "not an integer ≥ 1")]
    [InlineData("1 1:x\n0 1:1\n", "not a finite number")]
    [InlineData("1 1:inf\n0 1:1\n", "not a finite number")]
    [InlineData("1 1\n0 1:1\n", "is not 'index:value'")]
    [InlineData("yes 1:1\n0 1:1\n", "label 'yes' is not a finite number")]
    [InlineData("1 1:1\n0 1:1\n2 1:1\n", "third label value")]
    [InlineData("\n# only a comment\n", "no rows")]
    public void MalformedLinesAreRejectedWithLineAndField(string text, string expected)
    {
        var e = Fails(text);
        Assert.Contains(expected, e.Message);
        if (!expected.Contains("no rows"))
        {
            Assert.True(e.Line >= 1, e.Message);
        }
    }
}
