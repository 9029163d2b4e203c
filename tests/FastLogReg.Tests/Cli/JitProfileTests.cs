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
        Assert.Equal(Path.Combine("/home/u/.local/share", "fastlogreg", "jit"), JitProfile.Directory(null, "/home/u/.local/share"));
        Assert.Equal("/srv/profiles", JitProfile.Directory("/srv/profiles", "/home/u/.local/share"));
        Assert.Equal(Path.GetFullPath("relative"), JitProfile.Directory(" relative ", "/home/u/.local/share"));
        Assert.Null(JitProfile.Directory(null, string.Empty)); // no home: no profile
        foreach (string off in new[] { "off", "OFF", "Off", "0", "", "  " })
        {
            Assert.Null(JitProfile.Directory(off, "/home/u/.local/share"));
        }
    }

    [Fact]
    public void NamesTheToolAndRuntimeVersionsInTheFileName()
    {
        Assert.StartsWith("fastlogreg-", JitProfile.FileName, StringComparison.Ordinal);
        Assert.Contains($"-net{Environment.Version}", JitProfile.FileName, StringComparison.Ordinal);
        Assert.EndsWith(".jitprofile", JitProfile.FileName, StringComparison.Ordinal);
        Assert.DoesNotContain('+', JitProfile.FileName); // not the commit: a rebuild reuses the profile
        Assert.True(JitProfile.FileName.IndexOfAny(Path.GetInvalidFileNameChars()) < 0);
    }

    [Fact]
    public void CreatesAMissingDirectory()
    {
        using var dir = new TempDirectory();
        string nested = Path.Combine(dir.Path, "a", "b");
        Assert.Null(JitProfile.Check(nested));
        Assert.True(Directory.Exists(nested));
    }

    [Fact]
    public void RefusesAFileWhereTheDirectoryShouldBe()
    {
        using var dir = new TempDirectory();
        string file = dir.Write("not-a-directory", "keep me");
        string? problem = JitProfile.Check(file);
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
        File.CreateSymbolicLink(dir.File(JitProfile.FileName), elsewhere);
        Assert.Contains("symbolic link", JitProfile.Check(dir.Path), StringComparison.Ordinal);

        using var other = new TempDirectory();
        Directory.CreateDirectory(other.File(JitProfile.FileName));
        Assert.Contains("not a regular file", JitProfile.Check(other.Path), StringComparison.Ordinal);

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
        var profile = new FileInfo(Path.Combine(profiles, JitProfile.FileName));
        Assert.True(profile.Exists, $"no profile in {profiles}");
        Assert.True(profile.Length > 0);
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
        Assert.True(File.Exists(Path.Combine(data, "fastlogreg", "jit", JitProfile.FileName)));

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
