using FastLogReg.IO;
using FastLogReg.Tests.Hostile;
using Xunit;

namespace FastLogReg.Tests.IO;

/// <summary>
/// The library's <see cref="JitProfile"/>, in this process (the tool's use of it runs as separate processes in
/// <c>Cli/JitProfileTests</c> and <c>Hostile/JitProfileHostileTests</c>). The runtime keeps one multicore-JIT profile
/// per process, so a single test here starts one.
/// </summary>
public class JitProfileTests
{
    [Fact]
    public void NamesTheFileAfterTheProgramAndTheRuntimeAndRefusesNamesThatAreNotFileNames()
    {
        Assert.Equal($"scoring-service_1.4-net{Environment.Version}.jitprofile", JitProfile.FileNameFor("scoring-service_1.4"));
        foreach (string bad in new[] { "", ".", "..", "a/b", "a\\b", "../x", "a b", "é", "tab\there", new string('a', 101) })
        {
            ArgumentException e = Assert.Throws<ArgumentException>(() => JitProfile.FileNameFor(bad));
            Assert.Equal("name", e.ParamName);
            Assert.Contains("ASCII letters, digits", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\t', e.Message); // one line, control characters escaped
        }

        Assert.Throws<ArgumentNullException>(() => JitProfile.FileNameFor(null!));
        Assert.Equal(100 + $"-net{Environment.Version}.jitprofile".Length, JitProfile.FileNameFor(new string('a', 100)).Length);
    }

    [Fact]
    public void ReadsAtMostTheLimitAndWritesProblemsOnOneLine()
    {
        // A profile path swapped after its check for a link to an endless device is read only up to the limit.
        if (File.Exists("/dev/zero"))
        {
            Assert.Null(JitProfile.BoundedContent("/dev/zero", 10_000));
        }

        using var dir = new TempDirectory();
        string file = dir.Write("exact", "0123456789");
        Assert.Equal("0123456789"u8.ToArray(), JitProfile.BoundedContent(file, 10)!);
        Assert.Null(JitProfile.BoundedContent(file, 9));
        Assert.Empty(JitProfile.BoundedContent(dir.Write("empty", ""), 10)!);

        // Control characters and the Unicode line and paragraph separators escaped.
        Assert.Equal("a\\u000ab\\u2028c\\u2029d\\u0085e", JitProfile.Escaped("a\nb\u2028c\u2029d\u0085e"));
    }

    [Fact]
    public void RecordsPublishesOnceAndRefusesASecondStartAfterSayingWhyAPlaceCannotBeUsed()
    {
        using var dir = new TempDirectory();
        Assert.Throws<ArgumentException>(() => JitProfile.Start(" ", "tests"));
        Assert.Throws<ArgumentException>(() => JitProfile.Start(dir.Path, "no/slashes"));

        // A place that cannot be used: no exception, no recording, the reason — and nothing touched.
        string file = dir.Write("not-a-directory", "keep me");
        using (JitProfile unusable = JitProfile.Start(file, "tests"))
        {
            Assert.False(unusable.IsRecording);
            Assert.False(unusable.IsReplaying);
            Assert.Contains($"'{file}' is not a directory", unusable.Problem, StringComparison.Ordinal);
            unusable.Publish();
        }

        Assert.Equal("keep me", File.ReadAllText(file));
        string linked = Path.Combine(dir.Path, "linked");
        Directory.CreateDirectory(linked);
        File.CreateSymbolicLink(Path.Combine(linked, JitProfile.FileNameFor("tests")), file);
        using (JitProfile unusable = JitProfile.Start(linked, "tests"))
        {
            Assert.False(unusable.IsRecording);
            Assert.Contains("is a symbolic link (not replaced)", unusable.Problem, StringComparison.Ordinal);
        }

        Assert.Equal("keep me", File.ReadAllText(file));

        // A usable place with an intact profile (the tool's, recorded by a run of it, under this program's name): replayed,
        // and recording until published; the published profile holds its checksum.
        string profiles = Path.Combine(dir.Path, "a", "b");
        (int code, _, string err) = ToolProcess.Run(dir.Path, "--help", environment: ("FASTLOGREG_JIT_PROFILE", profiles));
        Assert.True(code == 0, err);
        File.Move(Path.Combine(profiles, FastLogReg.Cli.ToolJitProfile.FileName), Path.Combine(profiles, JitProfile.FileNameFor("tests")));
        byte[] recorded = File.ReadAllBytes(Path.Combine(profiles, JitProfile.FileNameFor("tests")));
        JitProfile profile = JitProfile.Start(profiles, "tests");
        Assert.Null(profile.Problem);
        Assert.True(profile.IsRecording);
        Assert.True(profile.IsReplaying);
        Assert.Equal(Path.Combine(profiles, JitProfile.FileNameFor("tests")), profile.ProfilePath);
        Assert.Equal(profiles, profile.ProfileDirectory);
        string run = Assert.Single(Directory.GetDirectories(profiles));
        Assert.StartsWith("run-", Path.GetFileName(run), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(run));
        }

        InvalidOperationException twice = Assert.Throws<InvalidOperationException>(() => JitProfile.Start(Path.Combine(dir.Path, "other"), "tests"));
        Assert.Contains("one per process", twice.Message, StringComparison.Ordinal);

        profile.Publish();
        Assert.False(profile.IsRecording);
        Assert.NotNull(JitProfile.Verified(profile.ProfilePath));
        Assert.NotEqual(recorded, File.ReadAllBytes(profile.ProfilePath)); // this run's, in place of the last
        Assert.Equal([profile.ProfilePath], Directory.GetFileSystemEntries(profiles)); // the run's directory removed
        DateTime written = File.GetLastWriteTimeUtc(profile.ProfilePath);
        profile.Publish(); // idempotent
        profile.Dispose();
        Assert.Equal(written, File.GetLastWriteTimeUtc(profile.ProfilePath));
        Assert.Throws<InvalidOperationException>(() => JitProfile.Start(profiles, "tests")); // still once per process
    }
}
