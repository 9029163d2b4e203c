using FastLogReg.IO;
using Xunit;
using FastLogReg.Cli;
using FastLogReg.Tests.Hostile;

namespace FastLogReg.Tests.Cli;

/// <summary>The tool's multicore JIT profile: where it lives, what it refuses to write over, and that a run records one.</summary>
public class JitProfileTests
{
    [Fact]
    public void LivesUnderLocalApplicationDataUnlessTheVariableSaysOtherwise()
    {
        Assert.Equal(Path.Combine("/home/u/.local/share", "fastlogreg", "jit"), ToolJitProfile.Directory(null, "/home/u/.local/share"));
        Assert.Equal("/srv/profiles", ToolJitProfile.Directory("/srv/profiles", "/home/u/.local/share"));
        Assert.Equal(Path.GetFullPath("relative"), ToolJitProfile.Directory(" relative ", "/home/u/.local/share"));
        Assert.Null(ToolJitProfile.Directory(null, string.Empty)); // no home: no profile
        foreach (string off in new[] { "off", "OFF", "Off", "0", "", "  " })
        {
            Assert.Null(ToolJitProfile.Directory(off, "/home/u/.local/share"));
        }
    }

    [Fact]
    public void NamesTheToolAndRuntimeVersionsInTheFileName()
    {
        Assert.StartsWith("fastlogreg-", ToolJitProfile.FileName, StringComparison.Ordinal);
        Assert.Contains($"-net{Environment.Version}", ToolJitProfile.FileName, StringComparison.Ordinal);
        Assert.EndsWith(".jitprofile", ToolJitProfile.FileName, StringComparison.Ordinal);
        Assert.DoesNotContain('+', ToolJitProfile.FileName); // not the commit: a rebuild reuses the profile
        Assert.True(ToolJitProfile.FileName.IndexOfAny(Path.GetInvalidFileNameChars()) < 0);
    }

    [Fact]
    public void CreatesAMissingDirectory()
    {
        using var dir = new TempDirectory();
        string nested = Path.Combine(dir.Path, "a", "b");
        Assert.Null(JitProfile.Check(nested, ToolJitProfile.FileName));
        Assert.True(Directory.Exists(nested));
    }

    [Fact]
    public void RefusesAFileWhereTheDirectoryShouldBe()
    {
        using var dir = new TempDirectory();
        string file = dir.Write("not-a-directory", "keep me");
        string? problem = JitProfile.Check(file, ToolJitProfile.FileName);
        Assert.NotNull(problem);
        Assert.Contains(file, problem, StringComparison.Ordinal);
        Assert.Contains("not a directory", problem, StringComparison.Ordinal);
        Assert.Equal("keep me", File.ReadAllText(file));
    }

    [Fact]
    public void RefusesALinkOrADirectoryAtTheProfilesPath()
    {
        using var dir = new TempDirectory();
        string elsewhere = dir.Write("precious.txt", "keep me");
        File.CreateSymbolicLink(dir.File(ToolJitProfile.FileName), elsewhere);
        Assert.Contains("symbolic link", JitProfile.Check(dir.Path, ToolJitProfile.FileName), StringComparison.Ordinal);

        using var other = new TempDirectory();
        Directory.CreateDirectory(other.File(ToolJitProfile.FileName));
        Assert.Contains("not a regular file", JitProfile.Check(other.Path, ToolJitProfile.FileName), StringComparison.Ordinal);

        // Nor does a run of the tool write through the link.
        (int code, _, string err) = ToolProcess.Run(dir.Path, "--help", environment: ("FASTLOGREG_JIT_PROFILE", dir.Path));
        Assert.Equal(0, code);
        Assert.Contains("warning: FASTLOGREG_JIT_PROFILE:", err, StringComparison.Ordinal);
        Assert.Contains("symbolic link", err, StringComparison.Ordinal);
        Assert.Equal("keep me", File.ReadAllText(elsewhere));
    }

    [Fact]
    public void ARunOfTheToolRecordsAProfileThere()
    {
        using var dir = new TempDirectory();
        string profiles = Path.Combine(dir.Path, "profiles");
        (int code, string output, string err) = ToolProcess.Run(dir.Path, "--help", environment: ("FASTLOGREG_JIT_PROFILE", profiles));
        Assert.Equal(0, code);
        Assert.Contains("Usage", output, StringComparison.Ordinal);
        Assert.Equal(string.Empty, err);
        var profile = new FileInfo(Path.Combine(profiles, ToolJitProfile.FileName));
        Assert.True(profile.Exists, $"no profile in {profiles}");
        Assert.NotNull(JitProfile.Verified(profile.FullName)); // the runtime's profile with its checksum
        Assert.Equal([profile.FullName], Directory.GetFileSystemEntries(profiles)); // the run's own directory removed

        // A flipped byte and the profile is not used.
        byte[] bytes = File.ReadAllBytes(profile.FullName);
        bytes[^1] ^= 1;
        File.WriteAllBytes(profile.FullName, bytes);
        Assert.Null(JitProfile.Verified(profile.FullName));
    }

    [Fact]
    public void RemovesTheDirectoriesOfKilledRunsAfterAnHour()
    {
        using var dir = new TempDirectory();
        string profiles = Path.Combine(dir.Path, "profiles");
        string old = Path.Combine(profiles, "run-" + Guid.NewGuid().ToString("N")), recent = Path.Combine(profiles, "run-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(old);

        // A directory whose name only starts like a run's (the caller's own, in a directory shared with other files): kept.
        string notARun = Path.Combine(profiles, "run-2024-01-01");
        Directory.CreateDirectory(notARun);
        File.WriteAllText(Path.Combine(notARun, "report.csv"), "keep me");
        Directory.SetLastWriteTimeUtc(notARun, DateTime.UtcNow.AddHours(-2));
        File.WriteAllText(Path.Combine(old, ToolJitProfile.FileName), "left by a killed run");
        Directory.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddHours(-2));
        Directory.CreateDirectory(recent);

        // A link named like a run's directory, to a directory that is not the tool's: neither followed nor removed.
        string elsewhere = Path.Combine(dir.Path, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        File.WriteAllText(Path.Combine(elsewhere, "keep.txt"), "keep me");
        string link = Path.Combine(profiles, "run-" + Guid.NewGuid().ToString("N"));
        Directory.CreateSymbolicLink(link, elsewhere);
        Directory.SetLastWriteTimeUtc(elsewhere, DateTime.UtcNow.AddHours(-2));

        (int code, _, string err) = ToolProcess.Run(dir.Path, "--help", environment: ("FASTLOGREG_JIT_PROFILE", profiles));
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, err);
        Assert.False(Directory.Exists(old));
        Assert.True(Directory.Exists(recent)); // maybe a run going on now
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(notARun, "report.csv")));
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(elsewhere, "keep.txt")));
        Assert.NotNull(new DirectoryInfo(link).LinkTarget);
    }

    [Fact]
    public void DefaultsToTheUsersDataDirectoryAndCanBeTurnedOff()
    {
        using var dir = new TempDirectory();

        // Unset: under the local application data ($XDG_DATA_HOME on Linux).
        string data = Path.Combine(dir.Path, "data");
        (int code, _, string err) = ToolProcess.Run(dir.Path, "--help", environment: [("FASTLOGREG_JIT_PROFILE", null), ("XDG_DATA_HOME", data)]);
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, err);
        Assert.True(File.Exists(Path.Combine(data, "fastlogreg", "jit", ToolJitProfile.FileName)));

        // Off: nothing there.
        string untouched = Path.Combine(dir.Path, "untouched");
        (code, _, err) = ToolProcess.Run(dir.Path, "--help", environment: [("FASTLOGREG_JIT_PROFILE", "off"), ("XDG_DATA_HOME", untouched)]);
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, err);
        Assert.False(Directory.Exists(untouched));

        // A data directory that cannot be created: the tool runs without a profile, silently (nobody asked for one).
        string blocked = dir.Write("blocked", "a file where a directory would go");
        (code, string output, err) = ToolProcess.Run(dir.Path, "--help", environment: [("FASTLOGREG_JIT_PROFILE", null), ("XDG_DATA_HOME", Path.Combine(blocked, "data"))]);
        Assert.Equal(0, code);
        Assert.Contains("Usage", output, StringComparison.Ordinal);
        Assert.Equal(string.Empty, err);
    }
}
