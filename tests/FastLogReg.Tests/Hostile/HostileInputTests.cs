using System.Text;
using System.Xml.Linq;
using FastLogReg.Cli;
using FastLogReg.IO;
using Xunit;

namespace FastLogReg.Tests.Hostile;

/// <summary>
/// The hostile-input audit's findings, one test each: inputs that crashed the tool, replaced files they should not have,
/// were read wrongly without a word, or got a message that did not say where and what. Each fails without its fix.
/// </summary>
public class HostileInputTests
{
    private const string Csv = "a,b,y\n1,2,0\n3,1,1\n2,2,0\n4,0,1\n5,1,1\n0,3,0\n";

    private static (int Code, string Out, string Err) Run(params string[] args) => FastLogReg.Tests.Cli.Tool.Run(args);

    // ---- crashes -------------------------------------------------------------------------------------------------

    [Fact]
    public void StrayQuoteInAFileOverSixteenMegabytesIsBadInputNamingItsLine()
    {
        using var dir = new TempDirectory();
        var text = new StringBuilder("a,y\n1,0\n2,\"1\n");
        while (text.Length < 17_000_000)
        {
            text.Append("1,0\n2,1\n");
        }

        string path = dir.Write("q.csv", text.ToString());
        (int code, _, string error) = Run("train", "--data", path, "--model", dir.File("m.json"), "--quiet");
        Assert.Equal(1, code);
        Assert.Contains("line 3", error);
        Assert.Contains("never closed", error);
    }

    [Fact]
    public void InvalidSimdCapIsABadUsageNotAStackTrace()
    {
        using var dir = new TempDirectory();
        dir.Write("d.csv", Csv);
        (int code, _, string error) = ToolProcess.Run(dir.Path, "train --data d.csv --model m.json --quiet", environment: ("FASTLOGREG_MAX_SIMD_WIDTH", "1024"));
        Assert.Equal(2, code);
        Assert.Contains("FASTLOGREG_MAX_SIMD_WIDTH='1024'", error);
        Assert.DoesNotContain("   at ", error);
    }

    // ---- data loss -----------------------------------------------------------------------------------------------

    [Fact]
    public void OutputToStandardOutputRedirectedForAppendingAppends()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        dir.Write("d.csv", Csv);
        Assert.Equal(0, Run("train", "--data", dir.File("d.csv"), "--model", dir.File("m.json"), "--quiet").Code);
        dir.Write("log.txt", "important\n");
        (int code, _, string error) = ToolProcess.Run(dir.Path, "predict --model m.json --data d.csv --output /dev/stdout", ">> log.txt");
        Assert.True(code == 0, error);
        string log = File.ReadAllText(dir.File("log.txt"));
        Assert.StartsWith("important\n", log);
        Assert.Contains("probability,class", log);
    }

    [Fact]
    public void UnwritablePlotLeavesThePreviousModelInPlace()
    {
        using var dir = new TempDirectory();
        string model = dir.Write("keep.json", "\"previous\"");
        (int code, _, string error) = Run("train", "--data", dir.Write("d.csv", Csv), "--model", model, "--plot", dir.File(Path.Combine("missing", "p.svg")), "--quiet");
        Assert.Equal(1, code);
        Assert.Contains("does not exist", error);
        Assert.Equal("\"previous\"", File.ReadAllText(model));
    }

    [Fact]
    public void AUsersFileThatMerelyResemblesATemporaryFileIsKept()
    {
        using var dir = new TempDirectory();
        string notes = dir.Write(".m9.json.999999-notes.tmp", "notes");
        Assert.Equal(0, Run("train", "--data", dir.Write("d.csv", Csv), "--model", dir.File("m9.json"), "--quiet").Code);
        Assert.Equal("notes", File.ReadAllText(notes));
    }

    [Fact]
    public void FileOfAnotherOwnerIsRefusedEvenWhenTheDirectoryIsWritable()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/usr/bin/setpriv"))
        {
            return; // needs a second user: run as root where setpriv exists (it does on Debian)
        }

        using var dir = new TempDirectory();
        File.SetUnixFileMode(dir.Path, (UnixFileMode)0x1FF); // 0777
        dir.Write("d.csv", Csv);
        string model = dir.Write("m.json", "root's model");
        File.SetUnixFileMode(model, (UnixFileMode)0x1A4); // 0644, owned by root
        (int code, _, string error) = ToolProcess.Run(dir.Path, $"train --data d.csv --model m.json --quiet", environment: ("DOTNET_CLI_HOME", dir.Path));
        Assert.Equal(0, code); // root may write it
        File.WriteAllText(model, "root's model");
        var asNobody = new System.Diagnostics.ProcessStartInfo("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "dotnet", Path.Combine(AppContext.BaseDirectory, "FastLogReg.Cli.dll"), "train", "--data", "d.csv", "--model", "m.json", "--quiet"])
        {
            WorkingDirectory = dir.Path,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        asNobody.Environment["DOTNET_CLI_HOME"] = dir.Path;
        asNobody.Environment["HOME"] = dir.Path;
        using var process = System.Diagnostics.Process.Start(asNobody)!;
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(1, process.ExitCode);
        Assert.Contains("may not write", stderr);
        Assert.Equal("root's model", File.ReadAllText(model));
    }

    // ---- read wrongly without a word -----------------------------------------------------------------------------

    [Fact]
    public void Latin1LabelsAreRefusedNotMergedIntoReplacementCharacters()
    {
        using var dir = new TempDirectory();
        string path = dir.File("latin1.csv");
        File.WriteAllBytes(path, [.. "a,y\n1,"u8, 0xE9, .. "\n2,"u8, 0xE8, .. "\n3,a\n0,"u8, 0xE8, (byte)'\n']);
        (int code, _, string error) = Run("train", "--data", path, "--model", dir.File("m.json"), "--quiet");
        Assert.Equal(1, code);
        Assert.Contains("not valid UTF-8", error);
        Assert.Contains("line 2", error);
    }

    [Fact]
    public void EvaluateFindsTheLabelColumnTheModelWasTrainedWith()
    {
        using var dir = new TempDirectory();
        string data = dir.Write("d.csv", "y,a,b\n0,1,0\n1,2,1\n0,3,1\n1,0,0\n0,5,1\n1,1,0\n0,4,1\n1,2,0\n");
        Assert.Equal(0, Run("train", "--data", data, "--label", "y", "--model", dir.File("m.json"), "--quiet", "--test-fraction", "0").Code);
        (int code, string plain, string error) = Run("evaluate", "--model", dir.File("m.json"), "--data", data, "--json");
        Assert.True(code == 0, error);
        (_, string named, _) = Run("evaluate", "--model", dir.File("m.json"), "--data", data, "--label", "y", "--json");
        Assert.Equal(named, plain);
    }

    [Theory]
    [InlineData("a,y\n1,0\n2,0\n3,\"1\n", "never closed")]
    [InlineData("a,y\n1,0\n2,\"1\"x\n3,1\n", "after its closing quote")]
    public void QuoteDamageInALabelIsAnError(string csv, string expected)
    {
        var e = Assert.Throws<DataFormatException>(() => CsvDataReader.Read<double>(new StringReader(csv), "q.csv"));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void PlotIsWellFormedXmlWithUniqueIds()
    {
        using var dir = new TempDirectory();
        Assert.Equal(0, Run("train", "--data", dir.Write("d.csv", Csv), "--model", dir.File("m.json"), "--plot", dir.File("p.svg"), "--quiet", "--test-fraction", "0").Code);
        XDocument svg = XDocument.Load(dir.File("p.svg"));
        string[] ids = svg.Descendants().Select(e => (string?)e.Attribute("id")).OfType<string>().ToArray();
        Assert.NotEmpty(ids);
        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Fact]
    public void AHeaderOfNumbersIsRefusedAsData()
    {
        var e = Assert.Throws<DataFormatException>(() => CsvDataReader.ReadFeatures<double>(new StringReader("1,2\n3,4\n5,6\n"), "h.csv"));
        Assert.Contains("looks like data, not a header", e.Message);
    }

    [Fact]
    public void ModelWhoseStandardizationIsNotFoldedInIsRefused()
    {
        const string Json = "{\"kind\":\"FastLogReg.LogisticModel\",\"formatVersion\":1,\"weights\":[1,1],\"bias\":0,\"standardization\":{\"means\":[100,100],\"scales\":[10,10],\"foldedIntoWeights\":false}}";
        var e = Assert.Throws<DataFormatException>(() => ModelFile.Load(new MemoryStream(Encoding.UTF8.GetBytes(Json)), "m.json"));
        Assert.Contains("not folded", e.Message);
    }

    [Fact]
    public void PredictionLabelsWithLineBreaksAreQuoted()
    {
        using var dir = new TempDirectory();
        string data = dir.Write("d.csv", "a,y\n1,\"x\ny\"\n2,z\n3,\"x\ny\"\n0,z\n");
        Assert.Equal(0, Run("train", "--data", data, "--model", dir.File("m.json"), "--quiet", "--test-fraction", "0").Code);
        (int code, string output, string error) = Run("predict", "--model", dir.File("m.json"), "--data", dir.Write("p.csv", "a\n100\n-5\n"));
        Assert.True(code == 0, error);
        Assert.Contains(",\"x\ny\"", output);
        Assert.Equal(3, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => !l.StartsWith('y')));
    }

    [Fact]
    public void NulCharactersInANumberAreAnError()
    {
        var e = Assert.Throws<DataFormatException>(() => CsvDataReader.ReadFeatures<double>(new StringReader("a,b\n1\0,2\n"), "n.csv"));
        Assert.Contains("NUL", e.Message);
    }

    [Theory]
    [InlineData("evaluate", "--positive", "banana")]
    [InlineData("train", "--label", "2")]
    [InlineData("train", "--separator", ";")]
    public void OptionsWithoutEffectAreBadUsage(string command, string option, string value)
    {
        using var dir = new TempDirectory();
        string svm = dir.Write("s.svm", "1 1:1 2:0.5\n0 2:1\n1 1:2\n0 1:0.1 2:2\n");
        Assert.Equal(0, Run("train", "--data", svm, "--model", dir.File("m.json"), "--quiet", "--test-fraction", "0").Code);
        string[] args = command == "train"
            ? ["train", "--data", svm, "--model", dir.File("m2.json"), "--quiet", option, value]
            : ["evaluate", "--model", dir.File("m.json"), "--data", svm, option, value];
        Assert.Equal(2, Run(args).Code);
        Assert.Equal(2, Run("train", "--data", dir.Write("d.csv", Csv), "--model", dir.File("m3.json"), "--separator", ",", "--decimal-comma").Code);
    }

    // ---- messages that say where and what ------------------------------------------------------------------------

    [Theory]
    [InlineData("\na,y\n1,0\n2,1\n3,0\n", "line 1 is blank")]
    [InlineData("a,\"y\n1,0\n2,1\n3,0\n", "header column 2 is never closed")]
    [InlineData("\"a\",a,y\n1,2,0\n3,4,1\n", "names the column 'a' twice")]
    public void HeaderProblemsAreNamed(string csv, string expected)
    {
        var e = Assert.Throws<DataFormatException>(() => CsvDataReader.Read<double>(new StringReader(csv), "h.csv"));
        Assert.Contains(expected, e.Message);
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public void HugeValueIsNamedByItsFileRowAndColumnBeforeTheShuffle()
    {
        using var dir = new TempDirectory();
        string data = dir.Write("d.csv", "a,b,y\n1,2,0\n1e200,1,1\n2,2,0\n4,0,1\n5,1,1\n0,3,0\n1,1,1\n2,3,0\n3,3,1\n");
        (int code, _, string error) = Run("train", "--data", data, "--model", dir.File("m.json"), "--quiet", "--seed", "7");
        Assert.Equal(1, code);
        Assert.Contains("data row 2, column 'a'", error);
        Assert.Contains("--standardize", error);
        Assert.DoesNotContain("(Parameter", error);
    }

    [Fact]
    public void OverflowingPredictionNamesTheDataRow()
    {
        using var dir = new TempDirectory();
        dir.Write("m.json", "{\"kind\":\"FastLogReg.LogisticModel\",\"formatVersion\":1,\"weights\":[1,1],\"bias\":0,\"featureNames\":[\"a\",\"b\"]}");
        (int code, _, string error) = Run("predict", "--model", dir.File("m.json"), "--data", dir.Write("p.csv", "a,b\n1,1\n1e308,1e308\n"));
        Assert.Equal(1, code);
        Assert.Contains("data row 2", error);
        Assert.DoesNotContain("(Parameter", error);
    }

    [Fact]
    public void AFileNameStartingWithAnAtSignIsAFile()
    {
        using var dir = new TempDirectory();
        dir.Write("@d.csv", Csv);
        (int code, _, string error) = ToolProcess.Run(dir.Path, "train --data @d.csv --model m.json --quiet");
        Assert.True(code == 0, error);
    }

    [Fact]
    public void ALongButLegalModelFileNameIsSaved()
    {
        using var dir = new TempDirectory();
        string name = new string('m', 240) + ".json";
        (int code, _, string error) = Run("train", "--data", dir.Write("d.csv", Csv), "--model", dir.File(name), "--quiet");
        Assert.True(code == 0, error);
        Assert.True(File.Exists(dir.File(name)));
    }

    [Fact]
    public void TinyCIsABadUsageNamingTheOption()
    {
        using var dir = new TempDirectory();
        (int code, _, string error) = Run("train", "--data", dir.Write("d.csv", Csv), "--model", dir.File("m.json"), "--C", "1e-320");
        Assert.Equal(2, code);
        Assert.Contains("--C", error);
        Assert.DoesNotContain("Parameter", error);
    }

    [Fact]
    public void ModelThatIsADirectorySaysSo()
    {
        using var dir = new TempDirectory();
        (int code, _, string error) = Run("predict", "--model", dir.Path, "--data", dir.Write("d.csv", Csv));
        Assert.Equal(1, code);
        Assert.Contains("is a directory", error);
    }

    [Fact]
    public void MissingFormatVersionIsNamedAsMissing()
    {
        const string Json = "{\"kind\":\"FastLogReg.LogisticModel\",\"weights\":[1],\"bias\":0}";
        var e = Assert.Throws<DataFormatException>(() => ModelFile.Load(new MemoryStream(Encoding.UTF8.GetBytes(Json)), "m.json"));
        Assert.Contains("\"formatVersion\" is missing", e.Message);
    }

    [Fact]
    public void FullStandardOutputIsNamed()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        dir.Write("d.csv", Csv);
        Assert.Equal(0, Run("train", "--data", dir.File("d.csv"), "--model", dir.File("m.json"), "--quiet").Code);
        (int code, _, string error) = ToolProcess.Run(dir.Path, "predict --model m.json --data d.csv", "> /dev/full");
        Assert.Equal(1, code);
        Assert.Contains("standard output", error);
    }

    [Fact]
    public void ALabelColumnNamedLikeAnotherColumnsNumberIsAmbiguous()
    {
        var e = Assert.Throws<DataFormatException>(() => CsvDataReader.Read<double>(new StringReader("2,1,y\n1,0,0\n0,1,1\n"), "a.csv", new CsvReadOptions { LabelColumn = "1" }));
        Assert.Contains("ambiguous", e.Message);
    }

    [Fact]
    public void AdviceNamesTheToolsOptions()
    {
        using var dir = new TempDirectory();
        (int code, string output, _) = Run("train", "--data", dir.Write("d.csv", Csv), "--model", dir.File("m.json"), "--max-iterations", "1", "--test-fraction", "0");
        Assert.Equal(0, code);
        Assert.Contains("--max-iterations", output);
        Assert.DoesNotContain("raise MaxIterations", output);
    }
}
