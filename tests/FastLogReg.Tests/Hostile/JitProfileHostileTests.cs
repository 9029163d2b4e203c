using FastLogReg.IO;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using FastLogReg.Cli;
using Xunit;

namespace FastLogReg.Tests.Hostile;

/// <summary>
/// Hostile tests of the tool's multicore JIT profile (<c>FASTLOGREG_JIT_PROFILE</c>, <see cref="JitProfile"/>): what may
/// sit at the profile's path, odd places, corrupt profiles, concurrent runs (from a helper's review). The first version
/// let the runtime read and write the published file itself; the review found a damaged profile crashing every run, a
/// link or FIFO put at the path during a run written through or hanging the exit, a hard link written through, and a
/// two-line warning — the tests named <c>Found_…</c>, which failed then.
/// </summary>
public class JitProfileHostileTests
{
    private const string Variable = "FASTLOGREG_JIT_PROFILE";
    private const string Warning = "warning: FASTLOGREG_JIT_PROFILE:";

    private static string Q(string path) => "'" + path.Replace("'", "'\\''") + "'";

    private static string WriteCsv(TempDirectory dir)
    {
        var text = new StringBuilder("a,b,label\n");
        var random = new Random(7);
        for (int i = 0; i < 20; i++)
        {
            int c = i % 2;
            text.Append($"{(c * 2 + random.NextDouble()).ToString("R", System.Globalization.CultureInfo.InvariantCulture)},{(-c + random.NextDouble()).ToString("R", System.Globalization.CultureInfo.InvariantCulture)},{c}\n");
        }

        return dir.Write("data.csv", text.ToString());
    }

    private static double[] Coefficients(string modelPath)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(modelPath));
        var values = new List<double>();
        foreach (JsonElement row in doc.RootElement.GetProperty("coefficients").EnumerateArray())
        {
            values.AddRange(row.EnumerateArray().Select(e => e.GetDouble()));
        }

        values.AddRange(doc.RootElement.GetProperty("intercepts").EnumerateArray().Select(e => e.GetDouble()));
        return values.ToArray();
    }

    /// <summary>The reference model: trained with the profile off.</summary>
    private static double[] Reference(TempDirectory dir, string csv)
    {
        string model = dir.File("reference.json");
        (int code, _, string err) = ToolProcess.Run(dir.Path, $"train --data {Q(csv)} --model {Q(model)} --quiet");
        Assert.True(code == 0, err);
        return Coefficients(model);
    }

    private static void AssertHelpRuns(string directory, params (string, string?)[] environment)
    {
        (int code, string output, string err) = ToolProcess.Run(directory, "--help", environment: environment);
        Assert.True(code == 0, $"exit {code}: {err}");
        Assert.Contains("train", output, StringComparison.Ordinal);
        AssertAtMostOneWarning(err);
    }

    private static void AssertAtMostOneWarning(string err)
    {
        Assert.DoesNotContain("Unhandled exception", err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        string[] lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length <= 1, "more than one line on stderr: " + err);
        if (lines.Length == 1)
        {
            Assert.StartsWith(Warning, lines[0], StringComparison.Ordinal);
        }
    }

    private static void AssertTrainRuns(TempDirectory dir, string csv, double[] reference, params (string, string?)[] environment)
    {
        string model = dir.File("m-" + Guid.NewGuid().ToString("N") + ".json");
        (int code, string output, string err) = ToolProcess.Run(dir.Path, $"train --data {Q(csv)} --model {Q(model)} --quiet", environment: environment);
        Assert.True(code == 0, $"exit {code}: {err}");
        Assert.Equal(string.Empty, output);
        AssertAtMostOneWarning(err);
        Assert.Equal(reference, Coefficients(model));
    }

    private static void Run(string program, params string[] arguments)
    {
        using var process = Process.Start(program, arguments);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    private static bool Test(string flag, string path)
    {
        using var process = Process.Start("test", [flag, path]);
        process.WaitForExit();
        return process.ExitCode == 0;
    }

    /// <summary>Records a real profile in a fresh directory and returns its bytes.</summary>
    private static byte[] RecordProfile(TempDirectory dir, string csv)
    {
        string profiles = Path.Combine(dir.Path, "recorded");
        string model = dir.File("recorded.json");
        (int code, _, string err) = ToolProcess.Run(dir.Path, $"train --data {Q(csv)} --model {Q(model)} --quiet", environment: (Variable, profiles));
        Assert.True(code == 0, err);
        return File.ReadAllBytes(Path.Combine(profiles, ToolJitProfile.FileName));
    }

    [Fact]
    public void JitProfileHostile_LinksAtTheProfilePathAreRefusedAndNotWrittenThrough()
    {
        using var dir = new TempDirectory();
        string csv = WriteCsv(dir);
        double[] reference = Reference(dir, csv);
        string precious = dir.Write("precious.txt", "keep me");
        foreach (string target in new[] { precious, "/dev/null", Path.Combine(dir.Path, "nowhere", "x"), "/nonexistent" })
        {
            string profiles = Path.Combine(dir.Path, "p-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(profiles);
            string link = Path.Combine(profiles, ToolJitProfile.FileName);
            File.CreateSymbolicLink(link, target);

            (int code, string output, string err) = ToolProcess.Run(dir.Path, "--help", environment: (Variable, profiles));
            Assert.Equal(0, code);
            Assert.Contains("train", output, StringComparison.Ordinal);
            AssertAtMostOneWarning(err);
            Assert.Contains("symbolic link", err, StringComparison.Ordinal);
            AssertTrainRuns(dir, csv, reference, (Variable, profiles));

            Assert.Equal(target, new FileInfo(link).LinkTarget); // still the same link
        }

        Assert.Equal("keep me", File.ReadAllText(precious));
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "nowhere")));
        Assert.False(File.Exists("/nonexistent"));
    }

    [Fact]
    public void JitProfileHostile_AFifoADirectoryOrADeviceAtTheProfilePathIsRefusedKeptAndDoesNotHang()
    {
        using var dir = new TempDirectory();
        string fifoPlace = Path.Combine(dir.Path, "fifo");
        Directory.CreateDirectory(fifoPlace);
        Run("mkfifo", Path.Combine(fifoPlace, ToolJitProfile.FileName));
        string dirPlace = Path.Combine(dir.Path, "dir");
        Directory.CreateDirectory(Path.Combine(dirPlace, ToolJitProfile.FileName));
        File.WriteAllText(Path.Combine(dirPlace, ToolJitProfile.FileName, "inside.txt"), "keep");

        var places = new List<string> { fifoPlace, dirPlace };
        string devicePlace = Path.Combine(dir.Path, "device");
        Directory.CreateDirectory(devicePlace);
        using (var mknod = Process.Start(new ProcessStartInfo("mknod", [Path.Combine(devicePlace, ToolJitProfile.FileName), "c", "1", "3"]) { RedirectStandardError = true }))
        {
            mknod!.WaitForExit();
            if (mknod.ExitCode == 0)
            {
                places.Add(devicePlace); // only as root
            }
        }

        foreach (string place in places)
        {
            (int code, _, string err) = ToolProcess.Run(dir.Path, "--help", environment: (Variable, place));
            Assert.Equal(0, code);
            AssertAtMostOneWarning(err);
            Assert.Contains("not a regular file", err, StringComparison.Ordinal);
        }

        Assert.True(Test("-p", Path.Combine(fifoPlace, ToolJitProfile.FileName)), "the FIFO was replaced");
        Assert.True(Directory.Exists(Path.Combine(dirPlace, ToolJitProfile.FileName)));
        Assert.Equal("keep", File.ReadAllText(Path.Combine(dirPlace, ToolJitProfile.FileName, "inside.txt")));
        if (places.Contains(devicePlace))
        {
            Assert.True(Test("-c", Path.Combine(devicePlace, ToolJitProfile.FileName)), "the device was replaced");
        }
    }

    [Fact]
    public void JitProfileHostile_AnUnusableVariableWarnsOnceAndChangesNothingElse()
    {
        using var dir = new TempDirectory();
        string csv = WriteCsv(dir);
        double[] reference = Reference(dir, csv);
        string regular = dir.Write("regular.txt", "keep me");
        string longPath = Path.Combine(dir.Path, new string('x', 300));
        string deepPath = Path.Combine(dir.Path, string.Join('/', Enumerable.Repeat(new string('y', 200), 20)));
        foreach (string place in new[] { regular, "/dev/null", Path.Combine(regular, "sub"), longPath, deepPath, "/proc", "/proc/self" })
        {
            (int code, string output, string err) = ToolProcess.Run(dir.Path, "--help", environment: (Variable, place));
            Assert.True(code == 0, $"{place}: exit {code}: {err}");
            Assert.Contains("train", output, StringComparison.Ordinal);
            AssertAtMostOneWarning(err);
            AssertTrainRuns(dir, csv, reference, (Variable, place));
        }

        Assert.Equal("keep me", File.ReadAllText(regular));
    }

    [Fact]
    public void JitProfileHostile_OddButUsablePlacesWork()
    {
        using var dir = new TempDirectory();
        string csv = WriteCsv(dir);
        double[] reference = Reference(dir, csv);
        foreach (string place in new[] { Path.Combine(dir.Path, "with space", "new\nline", "ünï©ødé ✓"), "relative/profiles", " padded " })
        {
            (int code, string output, string err) = ToolProcess.Run(dir.Path, "--help", environment: (Variable, place));
            Assert.True(code == 0, err);
            Assert.Contains("train", output, StringComparison.Ordinal);
            Assert.Equal(string.Empty, err);
            AssertTrainRuns(dir, csv, reference, (Variable, place));
            string full = Path.IsPathRooted(place) ? place : Path.Combine(dir.Path, place.Trim());
            Assert.True(File.Exists(Path.Combine(full, ToolJitProfile.FileName)), full);
        }
    }

    [Fact]
    public void JitProfileHostile_OffValuesRecordNothing()
    {
        using var dir = new TempDirectory();
        string home = Path.Combine(dir.Path, "home");
        Directory.CreateDirectory(home);
        foreach (string off in new[] { "off", "OFF", "0", "", "  " })
        {
            AssertHelpRuns(dir.Path, (Variable, off), ("HOME", home), ("XDG_DATA_HOME", null));
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(home));
        Assert.Equal(new[] { home }, Directory.EnumerateFileSystemEntries(dir.Path)); // nor a directory named "0" or "off" here
    }

    [Fact]
    public void JitProfileHostile_TheDefaultPlaceIsSilentWhenUnusable()
    {
        using var dir = new TempDirectory();
        string csv = WriteCsv(dir);
        double[] reference = Reference(dir, csv);

        // No usable home: unwritable, a device, unset.
        foreach (string? home in new[] { "/proc", "/dev/null", null })
        {
            (int code, string output, string err) = ToolProcess.Run(dir.Path, "--help", environment: [(Variable, null), ("XDG_DATA_HOME", null), ("HOME", home)]);
            Assert.Equal(0, code);
            Assert.Contains("train", output, StringComparison.Ordinal);
            Assert.Equal(string.Empty, err);
        }

        // A link and a FIFO at the default profile path: silent, untouched, no hang.
        string precious = dir.Write("precious.txt", "keep me");
        string linkHome = Path.Combine(dir.Path, "link-home");
        string jit = Path.Combine(linkHome, ".local", "share", "fastlogreg", "jit");
        Directory.CreateDirectory(jit);
        File.CreateSymbolicLink(Path.Combine(jit, ToolJitProfile.FileName), precious);
        (int c1, _, string e1) = ToolProcess.Run(dir.Path, "--help", environment: [(Variable, null), ("XDG_DATA_HOME", null), ("HOME", linkHome)]);
        Assert.Equal(0, c1);
        Assert.Equal(string.Empty, e1);
        Assert.Equal("keep me", File.ReadAllText(precious));

        string xdg = Path.Combine(dir.Path, "xdg");
        Directory.CreateDirectory(Path.Combine(xdg, "fastlogreg", "jit"));
        Run("mkfifo", Path.Combine(xdg, "fastlogreg", "jit", ToolJitProfile.FileName));
        (int c2, _, string e2) = ToolProcess.Run(dir.Path, "--help", environment: [(Variable, null), ("XDG_DATA_HOME", xdg)]);
        Assert.Equal(0, c2);
        Assert.Equal(string.Empty, e2);
        AssertTrainRuns(dir, csv, reference, (Variable, null), ("XDG_DATA_HOME", xdg));

        // And a usable default place records a profile there.
        string freshXdg = Path.Combine(dir.Path, "fresh-xdg");
        AssertTrainRuns(dir, csv, reference, (Variable, null), ("XDG_DATA_HOME", freshXdg));
        Assert.True(File.Exists(Path.Combine(freshXdg, "fastlogreg", "jit", ToolJitProfile.FileName)));
    }

    [Fact]
    public void JitProfileHostile_GarbageTruncatedOrHugeProfilesDoNotBreakARun()
    {
        using var dir = new TempDirectory();
        string csv = WriteCsv(dir);
        double[] reference = Reference(dir, csv);
        byte[] real = RecordProfile(dir, csv);
        var random = new Random(11);
        byte[] Bytes(int n)
        {
            byte[] b = new byte[n];
            random.NextBytes(b);
            return b;
        }

        var contents = new Dictionary<string, byte[]>
        {
            ["random"] = Bytes(4096),
            ["empty"] = [],
            ["huge"] = Bytes(5_000_000),
            ["truncated-header"] = real[..7],
            ["truncated"] = real[..(real.Length / 3)],
            ["header-only-then-zeros"] = [.. real[..64], .. new byte[real.Length - 64]],
        };
        foreach ((string name, byte[] content) in contents)
        {
            string place = Path.Combine(dir.Path, name);
            Directory.CreateDirectory(place);
            File.WriteAllBytes(Path.Combine(place, ToolJitProfile.FileName), content);
            AssertHelpRuns(dir.Path, (Variable, place));
            Assert.True(File.Exists(Path.Combine(place, ToolJitProfile.FileName)));
            AssertTrainRuns(dir, csv, reference, (Variable, place));
            Assert.True(File.Exists(Path.Combine(place, ToolJitProfile.FileName)));
        }
    }

    /// <summary>Runs the tool as user nobody (through setpriv), when the tests run as root; null otherwise.</summary>
    private static (int Code, string Out, string Err)? RunAsNobody(string directory, string arguments, params string[] environment)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/usr/bin/setpriv"))
        {
            return null;
        }

        var start = new ProcessStartInfo("setpriv")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "env", "-u", "XDG_DATA_HOME", "-u", Variable })
        {
            start.ArgumentList.Add(a);
        }

        foreach (string e in environment)
        {
            start.ArgumentList.Add(e);
        }

        start.ArgumentList.Add("DOTNET_CLI_HOME=" + directory);
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "FastLogReg.Cli.dll"));
        foreach (string a in arguments.Split(' '))
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

    [Fact]
    public void JitProfileHostile_AsAnOrdinaryUserReadOnlyPlacesAreHarmless()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        const UnixFileMode all = (UnixFileMode)0x1FF, readOnlyDir = (UnixFileMode)0x16D; // 777, 555
        File.SetUnixFileMode(dir.Path, all);
        string csv = WriteCsv(dir);
        double[] reference = Reference(dir, csv);
        string readOnly = Path.Combine(dir.Path, "ro");
        Directory.CreateDirectory(readOnly);
        File.SetUnixFileMode(readOnly, readOnlyDir);
        string withReadOnlyFile = Path.Combine(dir.Path, "ro-file");
        Directory.CreateDirectory(withReadOnlyFile);
        File.SetUnixFileMode(withReadOnlyFile, all);
        File.WriteAllBytes(Path.Combine(withReadOnlyFile, ToolJitProfile.FileName), RecordProfile(dir, csv));
        File.SetUnixFileMode(Path.Combine(withReadOnlyFile, ToolJitProfile.FileName), (UnixFileMode)0x124); // 444, owned by root

        string model = Path.Combine(dir.Path, "nobody.json");
        string train = $"train --data {csv} --model {model} --quiet";
        foreach (string[] environment in new[]
        {
            new[] { $"{Variable}={readOnly}", $"HOME={dir.Path}" },
            new[] { $"{Variable}={withReadOnlyFile}", $"HOME={dir.Path}" },
            new[] { $"HOME={readOnly}" }, // default place under an unwritable home: silent
            new[] { "HOME=/root" },
        })
        {
            if (RunAsNobody(dir.Path, "--help", environment) is not { } help)
            {
                return; // not root: nothing to switch to
            }

            // A place the variable names but nobody can write: one warning line (the run cannot have its own directory
            // there); the default place: silent.
            bool named = environment[0].StartsWith(Variable, StringComparison.Ordinal);
            Assert.True(help.Code == 0, help.Err);
            AssertWarnsOnlyIf(named, help.Err);
            (int code, string output, string err) = RunAsNobody(dir.Path, train, environment)!.Value;
            Assert.True(code == 0, err);
            Assert.Equal(string.Empty, output);
            AssertWarnsOnlyIf(named, err);
            Assert.Equal(reference, Coefficients(model));
            File.Delete(model);
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(readOnly));

        static void AssertWarnsOnlyIf(bool named, string err)
        {
            if (named)
            {
                AssertAtMostOneWarning(err);
            }
            else
            {
                Assert.Equal(string.Empty, err);
            }
        }
    }

    [Fact]
    public void JitProfileHostile_AReadOnlyProfileFileIsHarmless()
    {
        using var dir = new TempDirectory();
        string csv = WriteCsv(dir);
        double[] reference = Reference(dir, csv);
        string place = Path.Combine(dir.Path, "ro");
        Directory.CreateDirectory(place);
        string file = Path.Combine(place, ToolJitProfile.FileName);
        File.WriteAllBytes(file, RecordProfile(dir, csv));
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        AssertHelpRuns(dir.Path, (Variable, place));
        AssertTrainRuns(dir, csv, reference, (Variable, place));
        Assert.True(File.Exists(file));
    }

    [Fact]
    public async Task JitProfileHostile_ParallelRunsSharingADirectoryAllSucceed()
    {
        using var dir = new TempDirectory();
        string csv = WriteCsv(dir);
        double[] reference = Reference(dir, csv);
        string place = Path.Combine(dir.Path, "shared");
        for (int round = 0; round < 2; round++)
        {
            var runs = Enumerable.Range(0, 5).SelectMany(i => new[]
            {
                Task.Run(() =>
                {
                    string model = dir.File($"par-{round}-{i}.json");
                    (int code, string output, string err) = ToolProcess.Run(dir.Path, $"train --data {Q(csv)} --model {Q(model)} --quiet", environment: (Variable, place));
                    return (code, output, err, model);
                }),
                Task.Run(() =>
                {
                    (int code, string output, string err) = ToolProcess.Run(dir.Path, "--help", environment: (Variable, place));
                    return (code, output, err, (string)null!);
                }),
            }).ToArray();
            foreach ((int code, string output, string err, string? model) in await Task.WhenAll(runs))
            {
                Assert.True(code == 0, err);
                Assert.Equal(string.Empty, err);
                if (model is null)
                {
                    Assert.Contains("train", output, StringComparison.Ordinal);
                }
                else
                {
                    Assert.Equal(string.Empty, output);
                    Assert.Equal(reference, Coefficients(model));
                }
            }
        }

        // The profile left by the racing writers is still fine to use.
        AssertHelpRuns(dir.Path, (Variable, place));
        AssertTrainRuns(dir, csv, reference, (Variable, place));
    }

    /// <summary>
    /// Found: a corrupt profile (one assembly name's culture changed, as a bit flip or a torn write could do) made every
    /// run of the tool — even <c>--help</c> — die with an unhandled <c>CultureNotFoundException</c> from the runtime's
    /// multicore-JIT player (exit 134), and the tool stayed broken until the file was deleted. Now the runtime only ever
    /// reads a profile whose checksum holds: a damaged one is ignored (and replaced at the end of the run); the raw
    /// runtime format, with the same damage, is not accepted either.
    /// </summary>
    [Fact]
    public void JitProfileHostile_Found_ACorruptProfileIsIgnored()
    {
        using var dir = new TempDirectory();
        string csv = WriteCsv(dir);
        byte[] real = RecordProfile(dir, csv);
        byte[] corrupt = Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(real).Replace("Culture=neutral", "Culture=neutrVl", StringComparison.Ordinal));
        Assert.NotEqual(real, corrupt);
        Assert.NotNull(JitProfile.Verified(Path.Combine(dir.Path, "recorded", ToolJitProfile.FileName)));
        string place = Path.Combine(dir.Path, "corrupt");
        Directory.CreateDirectory(place);
        string published = Path.Combine(place, ToolJitProfile.FileName);
        File.WriteAllBytes(published, corrupt);
        Assert.Null(JitProfile.Verified(published));

        (int code, _, string err) = ToolProcess.Run(dir.Path, "--help", environment: (Variable, place));
        Assert.DoesNotContain("Unhandled exception", err, StringComparison.Ordinal);
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, err);
        Assert.NotNull(JitProfile.Verified(published)); // replaced by this run's

        // The runtime's own format with the same damage (the payload alone, no checksum): not read either.
        byte[] payload = JitProfile.Verified(Path.Combine(dir.Path, "recorded", ToolJitProfile.FileName))!;
        File.WriteAllBytes(published, Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(payload).Replace("Culture=neutral", "Culture=neutrVl", StringComparison.Ordinal)));
        (code, _, err) = ToolProcess.Run(dir.Path, "--help", environment: (Variable, place));
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, err);
    }

    /// <summary>Runs <c>train</c> with its data read from a FIFO, calls <paramref name="duringTheRun"/> once the tool has started (and checked the profile's place), then feeds the data.</summary>
    private static async Task<Task<(int Code, string Out, string Err)>> TrainFromFifo(TempDirectory dir, string csv, string place, Action duringTheRun)
    {
        string fifo = dir.File("data-fifo.csv");
        Run("mkfifo", fifo);
        string model = dir.File("fifo-model.json");
        Task<(int, string, string)> run = Task.Run(() => ToolProcess.Run(dir.Path, $"train --data {Q(fifo)} --model {Q(model)} --quiet", environment: (Variable, place)));
        Task<FileStream> open = Task.Run(() => new FileStream(fifo, FileMode.Open, FileAccess.Write)); // returns once the tool opened it to read
        using (FileStream writer = await open.WaitAsync(TimeSpan.FromSeconds(60)))
        {
            duringTheRun();
            writer.Write(File.ReadAllBytes(csv));
        }

        return run;
    }

    /// <summary>
    /// Found (checked at the start, written at the exit): a symbolic link put at the profile's path during a run (here
    /// while <c>train</c> waits for its data) was written through at exit. Now the runtime writes only into the run's own
    /// directory, and the profile is published by renaming a new file — not over a link.
    /// </summary>
    [Fact]
    public async Task JitProfileHostile_Found_ALinkPlantedDuringARunIsNotWrittenThrough()
    {
        using var dir = new TempDirectory();
        string csv = WriteCsv(dir);
        string precious = dir.Write("precious.txt", "keep me");
        string place = Path.Combine(dir.Path, "profiles");
        Directory.CreateDirectory(place);

        Task<(int Code, string Out, string Err)> run = await TrainFromFifo(dir, csv, place, () => File.CreateSymbolicLink(Path.Combine(place, ToolJitProfile.FileName), precious));
        (int code, _, string err) = await run;
        Assert.True(code == 0, err);
        Assert.Equal("keep me", File.ReadAllText(precious));
        Assert.NotNull(new FileInfo(Path.Combine(place, ToolJitProfile.FileName)).LinkTarget); // the link left as it was
    }

    /// <summary>
    /// Found (same cause): a FIFO put at the profile's path during a run made the tool hang at exit (the runtime opened
    /// it to write and waited for a reader), after it had done its work. Now nothing is opened there: the FIFO is left.
    /// </summary>
    [Fact]
    public async Task JitProfileHostile_Found_AFifoPlantedDuringARunDoesNotHangTheExit()
    {
        using var dir = new TempDirectory();
        string csv = WriteCsv(dir);
        string place = Path.Combine(dir.Path, "profiles");
        Directory.CreateDirectory(place);
        string profileFifo = Path.Combine(place, ToolJitProfile.FileName);

        Task<(int Code, string Out, string Err)> run = await TrainFromFifo(dir, csv, place, () => Run("mkfifo", profileFifo));
        bool exited = true;
        try
        {
            await run.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            exited = false;

            // Release the hung writer so that the test ends: read the FIFO.
            using var reader = new FileStream(profileFifo, FileMode.Open, FileAccess.Read);
            await reader.CopyToAsync(Stream.Null);
            await run;
        }

        Assert.True(exited, "the tool hung at exit writing its JIT profile into a FIFO");
    }

    /// <summary>
    /// Found: a hard link at the profile's path is a regular file, and the runtime rewrote it in place, overwriting the
    /// other name's content. Now the profile is published by renaming a new file over the entry: the other name keeps
    /// its content.
    /// </summary>
    [Fact]
    public void JitProfileHostile_Found_AHardLinkAtTheProfilePathIsNotWrittenThrough()
    {
        using var dir = new TempDirectory();
        string precious = dir.Write("precious.txt", "keep me");
        string place = Path.Combine(dir.Path, "profiles");
        Directory.CreateDirectory(place);
        Run("ln", precious, Path.Combine(place, ToolJitProfile.FileName));

        (int code, _, string err) = ToolProcess.Run(dir.Path, "--help", environment: (Variable, place));
        Assert.True(code == 0, err);
        Assert.Equal("keep me", File.ReadAllText(precious));
        Assert.NotNull(JitProfile.Verified(Path.Combine(place, ToolJitProfile.FileName)));
    }

    /// <summary>
    /// Found (minor): the warning quoted the path verbatim, so a variable naming a file whose name has a newline printed
    /// a two-line warning. Control characters are escaped now.
    /// </summary>
    [Fact]
    public void JitProfileHostile_Found_TheWarningIsOneLineEvenForANameWithANewline()
    {
        using var dir = new TempDirectory();
        string file = dir.Write("bad\nname", "keep me");
        (int code, _, string err) = ToolProcess.Run(dir.Path, "--help", environment: (Variable, file));
        Assert.Equal(0, code);
        Assert.StartsWith(Warning, err, StringComparison.Ordinal);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
        Assert.Equal("keep me", File.ReadAllText(file));
    }
}
