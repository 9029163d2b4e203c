using FastLogReg.Cli;
using FastLogReg.IO;
using Xunit;

namespace FastLogReg.Tests.Cli;

/// <summary>The tool's outputs never clobber an input, each other, a device or a read-only file.</summary>
public class OutputTargetTests
{
    private const string Csv = "a,b,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n2,1,0\n4,3,1\n";

    private static (int Code, string Out, string Err) Run(params string[] args) => FastLogReg.Tests.Cli.Tool.Run(args);

    [Fact]
    public void ModelAndPlotNamingTheSameFileIsABadUsage()
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", Csv);
        string same = dir.File("out.json");
        (int code, _, string error) = Run("train", "--data", csv, "--model", same, "--plot", same, "--quiet");
        Assert.Equal(2, code);
        Assert.Contains("--model and --plot name the same file", error);
        Assert.False(File.Exists(same));
    }

    [Fact]
    public void SameFileThroughASymbolicLinkIsABadUsage()
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", Csv);
        string model = dir.Write("m.json", "previous model");
        File.CreateSymbolicLink(dir.File("alias.svg"), model);
        (int code, _, string error) = Run("train", "--data", csv, "--model", model, "--plot", dir.File("alias.svg"), "--quiet");
        Assert.Equal(2, code);
        Assert.Contains("name the same file", error);
        Assert.Equal("previous model", File.ReadAllText(model));
    }

    [Fact]
    public void ModelOverTheTrainingDataIsABadUsage()
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", Csv);
        (int code, _, string error) = Run("train", "--data", csv, "--model", csv, "--quiet");
        Assert.Equal(2, code);
        Assert.Contains("--data and --model", error);
        Assert.Equal(Csv, File.ReadAllText(csv));
    }

    [Fact]
    public void PredictionsOverTheModelOrTheDataAreABadUsage()
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", Csv);
        string model = dir.File("m.json");
        Assert.Equal(0, Run("train", "--data", csv, "--model", model, "--quiet").Code);
        byte[] saved = File.ReadAllBytes(model);

        Assert.Equal(2, Run("predict", "--model", model, "--data", csv, "--output", model).Code);
        Assert.Equal(2, Run("predict", "--model", model, "--data", csv, "--output", csv).Code);
        Assert.Equal(saved, File.ReadAllBytes(model));
        Assert.Equal(Csv, File.ReadAllText(csv));
    }

    [Fact]
    public void DevicesAreWrittenInPlace()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", Csv);
        string model = dir.File("m.json");
        Assert.Equal(0, Run("train", "--data", csv, "--model", model, "--quiet").Code);

        (int code, _, string error) = Run("predict", "--model", model, "--data", csv, "--output", "/dev/null");
        Assert.True(code == 0, error);
        Assert.Equal(FileEntryKind.Device, FileEntry.Inspect("/dev/null").Kind);

        (code, _, error) = Run("train", "--data", csv, "--model", "/dev/full", "--quiet");
        Assert.Equal(1, code);
        Assert.Contains("/dev/full", error);
        Assert.DoesNotContain(".tmp", error);
        Assert.Equal(FileEntryKind.Device, FileEntry.Inspect("/dev/full").Kind);

        // Two outputs may share a device: nothing is replaced.
        (code, _, error) = Run("train", "--data", csv, "--model", "/dev/null", "--plot", "/dev/null", "--quiet");
        Assert.True(code == 0, error);
    }

    [Fact]
    public void ReadOnlyModelIsRefusedWithExitOne()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", Csv);
        string model = dir.Write("m.json", "keep");
        File.SetUnixFileMode(model, UnixFileMode.UserRead);
        (int code, _, string error) = Run("train", "--data", csv, "--model", model, "--quiet");
        Assert.Equal(1, code);
        Assert.Contains("read-only", error);
        Assert.Contains(model, error);
        Assert.Equal("keep", File.ReadAllText(model));
    }

    [Fact]
    public void DirectoryAsDataSaysSo()
    {
        using var dir = new TempDirectory();
        (int code, _, string error) = Run("train", "--data", dir.Path, "--model", dir.File("m.json"), "--quiet");
        Assert.Equal(1, code);
        Assert.Contains("is a directory", error);
    }
}
