using System.IO.Hashing;
using System.Runtime;
using System.Text;

namespace FastLogReg.IO;

/// <summary>
/// The runtime's multicore JIT (<see cref="ProfileOptimization"/>) made safe to keep between runs: a process that starts
/// one at the top of <c>Main</c> records which methods it compiled, and the next run of the same program compiles them
/// on a background thread from its first moment — on two cores the first fit of a fresh process (breast cancer, L-BFGS)
/// 46 → 26 ms; with a ReadyToRun composite publish 24 → 13–16 ms (<c>docs/performance.md</c>).
/// <para>
/// Calling <see cref="ProfileOptimization"/> directly is not safe to keep: the runtime trusts the profile it reads (a
/// damaged one can crash every later start until it is deleted) and writes its new one in place, through a link
/// or into a named pipe put at its path. Here the runtime only ever sees a private directory each run creates
/// (<c>run-…</c> inside <see cref="ProfileDirectory"/>, removed by <see cref="Publish"/>; those of killed runs are removed
/// an hour later): at the start the published profile is copied there if its checksum holds; at <see cref="Publish"/>
/// the runtime writes the new profile there, and it is published with its checksum by writing a new file and renaming
/// it over the old one — never written in place, never through a link, and nothing that is not a regular file is
/// replaced.
/// </para>
/// <para>
/// What it guards against is damage, accidents and other users (the run directory is the user's alone); not a process of
/// the same user racing it on purpose — swapping a pipe in between a check and an open can still hold up a start, and a
/// run directory replaced by a link while recording can still be written through. Directories named like its run
/// directories ("run-" and 32 hex digits) are its own; nothing else in the directory is touched. A process that ends
/// without <see cref="Publish"/> publishes on its way out.
/// </para>
/// <para>
/// Start-up speed is never worth a failure: when the place cannot be used (not a directory, not writable, a link or a
/// directory at the profile's path), <see cref="Start"/> returns a profile that does not record, with
/// <see cref="Problem"/> saying why, and the program runs as it would without it. Only bad arguments throw.
/// </para>
/// </summary>
/// <example>
/// <code>
/// public static int Main(string[] args)
/// {
///     // First thing: the profile's directory, and a name per program and version (the runtime's version is added).
///     using JitProfile jit = JitProfile.Start(Path.Combine(stateDirectory, "jit"), "scoring-service-1.4");
///     WarmUp();          // load the model, the first fit or prediction: what the next start should find compiled
///     jit.Publish();     // stop recording here; the rest of the run is not start-up
///     return Serve();
/// }
/// </code>
/// </example>
public sealed class JitProfile : IDisposable
{
    /// <summary>Work directories of runs older than this are left-overs of killed runs.</summary>
    private static readonly TimeSpan StaleRun = TimeSpan.FromHours(1);

    private const string RunPrefix = "run-";
    private const int MaxProfileBytes = 64 << 20;
    private const int MaxNameLength = 100;
    private static readonly byte[] Magic = "FastLogReg JIT profile 2\n"u8.ToArray();
    private const int ChecksumBytes = 8; // CRC-64 (ECMA-182): damage, not tampering, is what it guards against (anyone who can write the file can write its checksum)

    private static readonly Lock StartGate = new();
    private static bool s_started;

    private readonly string? _run;
    private int _published;

    private JitProfile(string directory, string fileName, string? run, bool replaying, string? problem)
    {
        ProfileDirectory = directory;
        ProfilePath = Path.Combine(directory, fileName);
        _run = run;
        IsReplaying = replaying;
        Problem = problem;
    }

    /// <summary>The directory that holds the published profile (full path).</summary>
    public string ProfileDirectory { get; }

    /// <summary>The published profile's path: <see cref="FileNameFor"/> of the name, in <see cref="ProfileDirectory"/>.</summary>
    public string ProfilePath { get; }

    /// <summary>Whether this run is recording (until <see cref="Publish"/>); false when <see cref="Problem"/> is set.</summary>
    public bool IsRecording => _run is not null && Volatile.Read(ref _published) == 0;

    /// <summary>Whether an earlier run's profile was found intact and the runtime compiles its methods in the background.</summary>
    public bool IsReplaying { get; }

    /// <summary>Why the profile is not used in this run (one line naming the path and what is wrong with it), or null.</summary>
    public string? Problem { get; }

    /// <summary>The profile's file name for a program's <paramref name="name"/>: the name and the runtime's version (a new runtime records afresh).</summary>
    /// <exception cref="ArgumentException">The name is empty, longer than 100 characters, or holds anything but ASCII letters, digits, '.', '-' and '_'.</exception>
    public static string FileNameFor(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        bool plain = name.Length is > 0 and <= MaxNameLength && name is not ("." or "..");
        foreach (char c in name)
        {
            plain &= char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'; // a loop, not LINQ: this runs before the runtime's profile starts
        }

        if (!plain)
        {
            throw new ArgumentException(
                $"The JIT profile's name '{Escaped(name.Length > MaxNameLength ? name[..MaxNameLength] + "…" : name)}' must be 1 to {MaxNameLength} ASCII letters, digits, '.', '-' or '_' (it becomes a file name).",
                nameof(name));
        }

        return $"{name}-net{Environment.Version}.jitprofile";
    }

    /// <summary>
    /// Starts the multicore JIT for this process with the profile <paramref name="name"/> in
    /// <paramref name="directory"/> (created if missing): replays the last published profile if it is intact and
    /// records this run's until <see cref="Publish"/>. Call it first thing in <c>Main</c>, once per process (the runtime
    /// keeps one profile per process). When the place cannot be used, returns a profile that does not record, with
    /// <see cref="Problem"/> set.
    /// </summary>
    /// <param name="directory">Where the profile lives; one directory may hold the profiles of several programs.</param>
    /// <param name="name">The program's name, with its version if it should record afresh on an upgrade (see <see cref="FileNameFor"/>).</param>
    /// <exception cref="ArgumentException">An empty directory, or a name <see cref="FileNameFor"/> refuses.</exception>
    /// <exception cref="InvalidOperationException">A profile was already started in this process.</exception>
    public static JitProfile Start(string directory, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string fileName = FileNameFor(name);
        string full;
        try
        {
            full = Path.GetFullPath(directory);
        }
        catch (Exception e) when (IsFileSystemError(e))
        {
            throw new ArgumentException($"The JIT profile's directory '{Escaped(directory)}' is not a usable path: {e.Message}", nameof(directory), e);
        }

        lock (StartGate)
        {
            if (s_started)
            {
                throw new InvalidOperationException("A JIT profile was already started in this process; the runtime keeps one per process, so start it once, first thing in Main.");
            }

            // Only what the runtime must not start without comes before it starts: all this is compiled on the caller's
            // thread before the background one begins (measured: ~14 ms of a fresh process against calling the runtime
            // directly; the first fit no later either way). Run on a thread of its own it cost more (85 against 79 ms
            // to the first fit's end): the second core it takes is the one the profile would have used.
            string? problem = Check(full, fileName);
            string? run = null;
            bool replaying = false;
            if (problem is null)
            {
                try
                {
                    run = Path.Combine(full, RunPrefix + Guid.NewGuid().ToString("N"));
                    if (OperatingSystem.IsWindows())
                    {
                        Directory.CreateDirectory(run);
                    }
                    else
                    {
                        Directory.CreateDirectory(run, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                    }

                    if (Verified(Path.Combine(full, fileName)) is { } recorded)
                    {
                        File.WriteAllBytes(Path.Combine(run, fileName), recorded);
                        replaying = true;
                    }
                }
                catch (Exception e) when (IsFileSystemError(e))
                {
                    problem = Escaped($"'{full}': {e.Message}");
                    RemoveRun(run);
                    run = null;
                    replaying = false;
                }
            }

            var profile = new JitProfile(full, fileName, run, replaying, problem);
            if (run is not null)
            {
                s_started = true;
                ProfileOptimization.SetProfileRoot(run);
                ProfileOptimization.StartProfile(fileName);
                RemoveStaleRuns(full, run);
                AppDomain.CurrentDomain.ProcessExit += (_, _) => profile.Publish(); // an exit without Publish leaves no run directory behind
            }

            return profile;
        }
    }

    /// <summary>
    /// Stops recording (the runtime writes the profile into this run's private directory at once) and publishes it with
    /// its checksum in place of the last one, unless what is at <see cref="ProfilePath"/> is not a regular file; removes
    /// the run's directory. Call it when start-up is over (what the next start should find compiled has run). Best
    /// effort and idempotent: a profile that cannot be published is dropped and the next run records again.
    /// </summary>
    public void Publish()
    {
        if (_run is null || Interlocked.Exchange(ref _published, 1) != 0)
        {
            return;
        }

        ProfileOptimization.StartProfile(null);
        try
        {
            string recorded = Path.Combine(_run, Path.GetFileName(ProfilePath));
            var info = new FileInfo(recorded);
            int maxPayload = MaxProfileBytes - Magic.Length - ChecksumBytes; // what Verified will take back
            if (!info.Exists || info.LinkTarget is not null || info.Length is 0 or > MaxProfileBytes || BoundedContent(recorded, maxPayload) is not { Length: > 0 } payload)
            {
                return;
            }

            if (NotReplaceable(ProfilePath) is not null)
            {
                return;
            }

            string temporary = ProfilePath + "." + Guid.NewGuid().ToString("N") + ".tmp";
            try
            {
                using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
                {
                    file.Write(Magic);
                    file.Write(Crc64.Hash(payload));
                    file.Write(payload);
                    // Not flushed to disk: a profile torn by a crash fails its checksum and is ignored.
                }

                File.Move(temporary, ProfilePath, overwrite: true);
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
            RemoveRun(_run);
        }
    }

    /// <summary>Publishes the profile if <see cref="Publish"/> was not called.</summary>
    public void Dispose() => Publish();

    /// <summary>
    /// Makes sure a profile named <paramref name="fileName"/> can live in <paramref name="directory"/> (creating the
    /// directory if missing): returns why not, or null when it can.
    /// </summary>
    internal static string? Check(string directory, string fileName)
    {
        try
        {
            Directory.CreateDirectory(directory); // nothing to do when it exists; fails when something else is there
        }
        catch (IOException) when (File.Exists(directory)) // a file, a pipe, a device: anything but a directory
        {
            return Escaped($"'{directory}' is not a directory");
        }
        catch (Exception e) when (IsFileSystemError(e))
        {
            return Escaped($"'{directory}': {e.Message}");
        }

        try
        {
            string file = Path.Combine(directory, fileName);
            return NotReplaceable(file) is { } why ? Escaped($"'{file}' {why} (not replaced)") : null;
        }
        catch (Exception e) when (IsFileSystemError(e))
        {
            return Escaped($"'{directory}': {e.Message}");
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

        byte[]? content = BoundedContent(path, MaxProfileBytes);
        int header = Magic.Length + ChecksumBytes;
        if (content is null || content.Length <= header || !content.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            return null;
        }

        byte[] payload = content[header..];
        return Crc64.Hash(payload).AsSpan().SequenceEqual(content.AsSpan(Magic.Length, ChecksumBytes)) ? payload : null;
    }

    /// <summary>
    /// The file's bytes, or null when it holds more than <paramref name="limit"/>: read up to the limit whatever the file
    /// turned out to be when opened (a file swapped after its check for a link to an endless device is not read forever).
    /// </summary>
    internal static byte[]? BoundedContent(string path, int limit)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        byte[] buffer = new byte[(int)Math.Min(limit + 1L, Math.Max(file.CanSeek ? file.Length : 0, 4096))];
        int read = 0;
        while (true)
        {
            if (read == buffer.Length)
            {
                if (buffer.Length > limit)
                {
                    return null;
                }

                Array.Resize(ref buffer, (int)Math.Min(limit + 1L, 2L * buffer.Length));
            }

            int got = file.Read(buffer, read, buffer.Length - read);
            if (got == 0)
            {
                return read == buffer.Length ? buffer : buffer[..read];
            }

            read += got;
        }
    }

    /// <summary>A message on one line: control characters (in a path, or in a system error's text) escaped.</summary>
    internal static string Escaped(string message)
    {
        var text = new StringBuilder(message.Length);
        foreach (char c in message)
        {
            text.Append(char.IsControl(c) || c is '\u2028' or '\u2029' ? $"\\u{(int)c:x4}" : c.ToString()); // and the Unicode line and paragraph separators
        }

        return text.ToString();
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

    /// <summary>Removes the work directories of runs older than an hour (killed runs'), except <paramref name="current"/>; never follows a link.</summary>
    private static void RemoveStaleRuns(string directory, string current)
    {
        try
        {
            foreach (string entry in Directory.EnumerateDirectories(directory, RunPrefix + "*"))
            {
                try
                {
                    var info = new DirectoryInfo(entry);
                    if (IsRunName(info.Name) && entry != current && info.LinkTarget is null && DateTime.UtcNow - info.LastWriteTimeUtc > StaleRun)
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
        catch (Exception e) when (IsFileSystemError(e))
        {
            // Left for a later run.
        }
    }

    /// <summary>Whether <paramref name="name"/> is a run directory's as this class makes them ("run-" and 32 hex digits): a caller's own "run-…" directory in a shared place is never removed.</summary>
    private static bool IsRunName(string name)
    {
        if (name.Length != RunPrefix.Length + 32 || !name.StartsWith(RunPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (char c in name.AsSpan(RunPrefix.Length))
        {
            if (!char.IsAsciiHexDigitLower(c))
            {
                return false;
            }
        }

        return true;
    }

    private static void RemoveRun(string? run)
    {
        if (run is null)
        {
            return;
        }

        try
        {
            Directory.Delete(run, recursive: true);
        }
        catch (Exception e) when (IsFileSystemError(e))
        {
            // Removed an hour later by another run.
        }
    }

    private static bool IsFileSystemError(Exception e) => e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException;
}
