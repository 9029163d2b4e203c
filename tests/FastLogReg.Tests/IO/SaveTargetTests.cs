using System.Diagnostics;
using System.Text;
using FastLogReg.IO;
using FastLogReg.Models;
using Xunit;

namespace FastLogReg.Tests.IO;

/// <summary>
/// What a save does to whatever is already at the path: a regular file is replaced atomically, a symbolic link's target
/// is replaced and the link kept, a device or pipe is written in place, a read-only file or a directory is refused, and
/// temporary files of a killed save are removed by the next save. Linux-specific cases skip elsewhere.
/// </summary>
public class SaveTargetTests
{
    private static readonly SavedModel Model = new(new LogisticModel([1.0, -2.0, 0.5], 0.25), new ModelMetadata());

    private static void WriteText(string path, string text) =>
        AtomicFile.Write(path, s => s.Write(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void RegularFileIsReplacedAndKeepsItsPermissions()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("m.json", "old");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        ModelFile.Save(Model, path);

        Assert.Equal(Model.Model.Weights.ToArray(), ModelFile.Load(path).Model.Weights.ToArray());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        Assert.Equal(["m.json"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void SymbolicLinkIsKeptAndItsTargetReplacedInItsOwnDirectory()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("models"));
        string target = dir.Write(Path.Combine("models", "real.json"), "stale");
        string link = dir.File("current.json");
        File.CreateSymbolicLink(link, Path.Combine("models", "real.json"));

        ModelFile.Save(Model, link);

        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.Equal(Model.Model.Bias, ModelFile.Load(target).Model.Bias);
        Assert.Equal(["real.json"], Directory.GetFiles(dir.File("models")).Select(Path.GetFileName));
        Assert.Equal(["current.json"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void DanglingSymbolicLinkCreatesItsTarget()
    {
        using var dir = new TempDirectory();
        string link = dir.File("link.json");
        File.CreateSymbolicLink(link, dir.File("new.json"));

        ModelFile.Save(Model, link);

        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.Equal(Model.Model.Bias, ModelFile.Load(dir.File("new.json")).Model.Bias);
    }

    [Fact]
    public void ReadOnlyFileIsRefusedAndLeftAsItWas()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDirectory();
        string path = dir.Write("m.json", "keep me");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead);

        var e = Assert.Throws<UnauthorizedAccessException>(() => ModelFile.Save(Model, path));

        Assert.Contains(path, e.Message);
        Assert.Contains("read-only", e.Message);
        Assert.Equal("keep me", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead, File.GetUnixFileMode(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void DirectoryIsRefused()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<IOException>(() => ModelFile.Save(Model, dir.Path));
        Assert.Contains("is a directory", e.Message);
        Assert.True(Directory.Exists(dir.Path));
    }

    [Fact]
    public void DeviceIsWrittenInPlaceNeverReplaced()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        ModelFile.Save(Model, "/dev/null");
        Assert.Equal(FileEntryKind.Device, FileEntry.Inspect("/dev/null").Kind);

        // /dev/full fails every write with ENOSPC: the error names the device, which stays a device.
        var e = Assert.Throws<IOException>(() => ModelFile.Save(Model, "/dev/full"));
        Assert.Contains("/dev/full", e.Message);
        Assert.DoesNotContain(".tmp", e.Message);
        Assert.Equal(FileEntryKind.Device, FileEntry.Inspect("/dev/full").Kind);
    }

    [Fact]
    public async Task NamedPipeIsWrittenInPlace()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        string fifo = dir.File("pipe");
        using (var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [fifo]) { UseShellExecute = false })!)
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        Task<string> reader = Task.Run(() => File.ReadAllText(fifo));
        WriteText(fifo, "through the pipe");

        Assert.Equal("through the pipe", await reader.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(FileEntryKind.Fifo, FileEntry.Inspect(fifo).Kind);
        Assert.Single(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public async Task TemporaryFilesOfAKilledSaveAreRemovedByTheNextSave()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        string path = dir.File("m.json");

        // A process that has ended stands for a save killed with SIGKILL: its temporary file names its process id.
        using var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await gone.WaitForExitAsync();
        string left = dir.Write($".m.json.{gone.Id}-0123456789abcdef0123456789abcdef.tmp", "half a model");
        string live = dir.Write($".m.json.1-0123456789abcdef0123456789abcdef.tmp", "pid 1 is alive: not ours to delete");
        string other = dir.Write($".other.json.{gone.Id}-0123456789abcdef0123456789abcdef.tmp", "another file's temporary");

        ModelFile.Save(Model, path);

        Assert.False(File.Exists(left));
        Assert.True(File.Exists(live));
        Assert.True(File.Exists(other));
        Assert.Equal(Model.Model.Bias, ModelFile.Load(path).Model.Bias);
    }

    [Fact]
    public void FailedWriteNamesTheTargetNotTheTemporaryFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("out.txt");
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, _ => throw new IOException($"disk full while writing {Directory.GetFiles(dir.Path).Single()}")));

        Assert.Contains(path, e.Message);
        Assert.DoesNotContain(".tmp", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}
