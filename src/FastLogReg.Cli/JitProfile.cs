using System.Reflection;
using System.Runtime;
using System.IO.Hashing;
using System.Text;
using FastLogReg.IO;

namespace FastLogReg.Cli;

/// <summary>
/// The tool's multicore JIT profile (<see cref="ProfileOptimization"/>): each run records which methods the JIT compiled,
/// and the next run compiles them on a background thread from its first moment, while the main thread parses the
/// command line and reads the data — measured on the bundled data set, the first fit of a fresh process 46 → 26 ms
/// (<c>docs/performance.md</c>). The profile is one file per tool and runtime version, in <c>$FASTLOGREG_JIT_PROFILE</c>
/// (a directory; <c>off</c> turns it off) or else under the user's local application data
/// (<c>~/.local/share/fastlogreg/jit</c> on Linux).
/// <para>
/// The runtime reads and writes its profile itself, and its reader trusts the file (a damaged one can crash the process).
/// So the runtime only ever sees a private directory this run creates (<c>run-…</c>, removed at the end; left-overs of
/// killed runs are removed an hour later): at the start the published profile is copied there if its checksum
/// holds; at the end the runtime writes the new profile there (<see cref="ProfileOptimization.StartProfile"/> with null
/// writes it at once), and it is published with its checksum by writing a new file and renaming it over the old one —
/// never written in place, never through a link, and nothing that is not a regular file is replaced. When the place
/// cannot be used the tool runs without the profile, saying why on stderr if the variable named the place.
/// </para>
/// </summary>
internal sealed class JitProfile
{
    /// <summary>The environment variable that names the profile's directory, or turns the profile off.</summary>
    public const string Variable = "FASTLOGREG_JIT_PROFILE";

    /// <summary>Work directories of runs older than this are left-overs of killed runs.</summary>
    private static readonly TimeSpan StaleRun = TimeSpan.FromHours(1);

    private const string RunPrefix = "run-";
    private const int MaxProfileBytes = 64 << 20;
    private static readonly byte[] Magic = "FastLogReg JIT profile 1\n"u8.ToArray();
    private const int ChecksumBytes = 16; // XxHash128: damage, not tampering, is what it guards against (anyone who can write the file can write its checksum)

    private readonly string _published;
    private readonly string _run;

    private JitProfile(string published, string run)
    {
        _published = published;
        _run = run;
    }

    /// <summary>The profile's file name: one per tool version and runtime version (a new version records afresh).</summary>
    public static string FileName { get; } = $"fastlogreg-{ToolVersion()}-net{Environment.Version}.jitprofile";

    /// <summary>The profile's directory for the variable's value (<paramref name="setting"/>, null when unset), or null when off.</summary>
    public static string? Directory(string? setting, string localApplicationData)
    {
        if (setting is not null)
        {
            string value = setting.Trim();
            return value.Length == 0 || value.Equals("off", StringComparison.OrdinalIgnoreCase) || value == "0" ? null : Path.GetFullPath(value);
        }

        return localApplicationData.Length == 0 ? null : Path.Combine(localApplicationData, "fastlogreg", "jit");
    }

    /// <summary>
    /// Makes sure the profile can live in <paramref name="directory"/> (creating the directory if missing): returns why
    /// not, or null when it can.
    /// </summary>
    public static string? Check(string directory)
    {
        try
        {
            FileEntry place = FileEntry.Inspect(directory);
            if (place.Kind == FileEntryKind.Missing)
            {
                System.IO.Directory.CreateDirectory(directory);
            }
            else if (place.Kind != FileEntryKind.Directory)
            {
                return $"{Shown(directory)} is not a directory";
            }

            string file = Path.Combine(directory, FileName);
            return NotReplaceable(file) is { } why ? $"{Shown(file)} {why} (not replaced)" : null;
        }
        catch (Exception e) when (IsFileSystemError(e))
        {
            return $"{Shown(directory)}: {e.Message}";
        }
    }

    /// <summary>
    /// Starts the multicore JIT for this process unless turned off or unusable (then writes to <paramref name="error"/>
    /// why, when the variable named the place); returns the session to <see cref="Publish"/> at the end, or null.
    /// </summary>
    public static JitProfile? Start(TextWriter error)
    {
        string? setting = Environment.GetEnvironmentVariable(Variable);
        string? directory = Directory(setting, Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify));
        if (directory is null)
        {
            return null;
        }

        string? problem = Check(directory);
        JitProfile? profile = null;
        if (problem is null)
        {
            try
            {
                RemoveStaleRuns(directory);
                string run = Path.Combine(directory, RunPrefix + Guid.NewGuid().ToString("N"));
                if (OperatingSystem.IsWindows())
                {
                    System.IO.Directory.CreateDirectory(run);
                }
                else
                {
                    System.IO.Directory.CreateDirectory(run, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }

                profile = new JitProfile(Path.Combine(directory, FileName), run);
                if (Verified(profile._published) is { } recorded)
                {
                    File.WriteAllBytes(Path.Combine(run, FileName), recorded);
                }
            }
            catch (Exception e) when (IsFileSystemError(e))
            {
                problem = $"{Shown(directory)}: {e.Message}";
                profile?.RemoveRun();
                profile = null;
            }
        }

        if (profile is null)
        {
            if (setting is not null)
            {
                error.WriteLine(Escaped($"warning: {Variable}: {problem}; running without the JIT profile."));
            }

            return null;
        }

        ProfileOptimization.SetProfileRoot(profile._run);
        ProfileOptimization.StartProfile(FileName);
        return profile;
    }

    /// <summary>
    /// Stops recording (the runtime writes the profile into this run's directory at once) and publishes it with its
    /// checksum in place of the last one, unless what is there is not a regular file; removes the run's directory.
    /// Best effort: a profile that cannot be published is dropped.
    /// </summary>
    public void Publish()
    {
        ProfileOptimization.StartProfile(null);
        try
        {
            string recorded = Path.Combine(_run, FileName);
            var info = new FileInfo(recorded);
            if (!info.Exists || info.LinkTarget is not null || info.Length is 0 or > MaxProfileBytes)
            {
                return;
            }

            byte[] payload = File.ReadAllBytes(recorded);
            if (NotReplaceable(_published) is not null)
            {
                return;
            }

            string temporary = _published + "." + Guid.NewGuid().ToString("N") + ".tmp";
            try
            {
                using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
                {
                    file.Write(Magic);
                    file.Write(XxHash128.Hash(payload));
                    file.Write(payload);
                    // Not flushed to disk: a profile torn by a crash fails its checksum and is ignored.
                }

                File.Move(temporary, _published, overwrite: true);
            }
            finally
            {
                File.Delete(temporary); // gone already after the rename
            }
        }
        catch (Exception e) when (IsFileSystemError(e))
        {
            // Best effort: the next run records again.
        }
        finally
        {
            RemoveRun();
        }
    }

    /// <summary>The runtime's profile inside the published file at <paramref name="path"/>, or null when missing, not a plain regular file, or damaged.</summary>
    internal static byte[]? Verified(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.LinkTarget is not null || info.Length > MaxProfileBytes || FileEntry.Inspect(path).Kind != FileEntryKind.RegularFile)
        {
            return null;
        }

        byte[] content = File.ReadAllBytes(path);
        int header = Magic.Length + ChecksumBytes;
        if (content.Length <= header || !content.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            return null;
        }

        byte[] payload = content[header..];
        return XxHash128.Hash(payload).AsSpan().SequenceEqual(content.AsSpan(Magic.Length, ChecksumBytes)) ? payload : null;
    }

    /// <summary>Why the profile may not be replaced at <paramref name="file"/> (a link, or not a regular file), or null when it may (or nothing is there).</summary>
    private static string? NotReplaceable(string file)
    {
        if (new FileInfo(file).LinkTarget is not null)
        {
            return "is a symbolic link";
        }

        return FileEntry.Inspect(file).Kind is FileEntryKind.Missing or FileEntryKind.RegularFile ? null : "is not a regular file";
    }

    private static void RemoveStaleRuns(string directory)
    {
        foreach (string entry in System.IO.Directory.EnumerateDirectories(directory, RunPrefix + "*"))
        {
            try
            {
                var info = new DirectoryInfo(entry);
                if (info.LinkTarget is null && DateTime.UtcNow - info.LastWriteTimeUtc > StaleRun)
                {
                    info.Delete(recursive: true);
                }
            }
            catch (Exception e) when (IsFileSystemError(e))
            {
                // Another run's, or not ours to remove: left.
            }
        }
    }

    private void RemoveRun()
    {
        try
        {
            System.IO.Directory.Delete(_run, recursive: true);
        }
        catch (Exception e) when (IsFileSystemError(e))
        {
            // Removed an hour later by another run.
        }
    }

    private static bool IsFileSystemError(Exception e) => e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException;

    /// <summary>A path for a message: quoted.</summary>
    private static string Shown(string path) => $"'{path}'";

    /// <summary>A message on one line: control characters (in a path, or in a system error's text) escaped.</summary>
    private static string Escaped(string message)
    {
        var text = new StringBuilder(message.Length);
        foreach (char c in message)
        {
            text.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return text.ToString();
    }

    private static string ToolVersion()
    {
        string version = typeof(JitProfile).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        version = version.Split('+')[0]; // not the commit: a rebuilt assembly's entries that no longer resolve are skipped
        return string.Concat(version.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_'));
    }
}
