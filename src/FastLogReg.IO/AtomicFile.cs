using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace FastLogReg.IO;

/// <summary>
/// Saves a file without ever leaving a half-written one, and without replacing what is not a regular file.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A regular file (or a new one) is written to a hidden temporary file in the same directory, flushed to disk,
/// given the old file's permissions, and renamed over the target: a failed or killed save leaves the previous file (or
/// none) intact. A later save to the same path removes temporary files that a killed save left behind (only names of
/// exactly the form this class writes, whose process no longer runs).</item>
/// <item>A symbolic link is followed: its final target is replaced atomically in the target's own directory, and the
/// link stays a link.</item>
/// <item>A device (<c>/dev/null</c>) or a named pipe is written in place, never replaced; <c>/dev/stdout</c> and
/// <c>/dev/stderr</c> (and their <c>/dev/fd</c>, <c>/proc/self/fd</c> aliases) are this process's own streams, whatever
/// they are redirected to — a file redirected with <c>&gt;&gt;</c> is appended to, not replaced.</item>
/// <item>A file this user cannot write (no write permission, or owned by another user without group or other write
/// permission) or a directory is refused with an <see cref="UnauthorizedAccessException"/> / <see cref="IOException"/>
/// naming the path.</item>
/// </list>
/// Error messages name the caller's path, never the temporary file.
/// </remarks>
internal static class AtomicFile
{
    private const string TemporarySuffix = ".tmp";

    /// <summary>Longest file name most file systems take (bytes); temporary names are kept within it.</summary>
    private const int MaxNameBytes = 255;

    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/>, atomically.</summary>
    /// <param name="path">The target; its directory must exist.</param>
    /// <param name="write">Writes the content to the stream it is given.</param>
    /// <param name="wrap">Tests only: wraps the stream (to inject a failure mid-write).</param>
    /// <exception cref="IOException">The target is a directory, or the write fails (the message names <paramref name="path"/>).</exception>
    /// <exception cref="UnauthorizedAccessException">The target is read-only, or its directory is not writable.</exception>
    public static void Write(string path, Action<Stream> write, Func<Stream, Stream>? wrap = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        if (StandardStream(path) is { } stream)
        {
            WriteToStream(path, stream, write, wrap);
            return;
        }

        FileEntry target = Check(path);
        if (target.Kind is FileEntryKind.Device or FileEntryKind.Fifo)
        {
            WriteInPlace(path, target.ResolvedPath, write, wrap);
            return;
        }

        Replace(path, target, write, wrap);
    }

    /// <summary>
    /// Checks, without writing anything, that a save to <paramref name="path"/> can succeed as far as the file system
    /// says now: the target is not a directory or a socket, this user may write it, and its directory exists and is
    /// writable. Lets a command refuse a bad output before it spends minutes (or overwrites another output).
    /// </summary>
    /// <exception cref="IOException">The target is a directory, or its directory does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The target or its directory is not writable by this user.</exception>
    public static void CheckWritable(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (StandardStream(path) is not null)
        {
            return;
        }

        FileEntry target = Check(path);
        if (target.Kind is FileEntryKind.Device or FileEntryKind.Fifo)
        {
            return;
        }

        string directory = Path.GetDirectoryName(target.ResolvedPath) ?? ".";
        if (!Directory.Exists(directory))
        {
            throw new IOException($"cannot save to '{path}': the directory '{directory}' does not exist.");
        }

        if (!FileEntry.Accessible(directory, write: true))
        {
            throw new UnauthorizedAccessException($"cannot save to '{path}': the directory '{directory}' is not writable.");
        }
    }

    /// <summary>The temporary files of saves to <paramref name="resolvedTarget"/> whose process no longer runs.</summary>
    internal static IEnumerable<string> StaleTemporaries(string resolvedTarget)
    {
        string directory = Path.GetDirectoryName(resolvedTarget) ?? ".";
        string prefix = TemporaryPrefix(resolvedTarget);
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateFiles(directory, prefix + "*" + TemporarySuffix).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (string candidate in candidates)
        {
            // Exactly ".{name}.{pid}-{32 hex digits}.tmp", the writer's process id and a GUID: never a user's own file.
            string middle = Path.GetFileName(candidate)[prefix.Length..^TemporarySuffix.Length];
            int dash = middle.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0
                && middle.Length - dash - 1 == 32
                && !middle.AsSpan(dash + 1).ContainsAnyExcept("0123456789abcdef")
                && int.TryParse(middle.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                && pid != Environment.ProcessId
                && !ProcessIsRunning(pid))
            {
                yield return candidate;
            }
        }
    }

    /// <summary>The temporary name's prefix: "." and the target's name, shortened (by its UTF-8 bytes) so that the whole name fits a file system's limit.</summary>
    internal static string TemporaryPrefix(string resolvedTarget)
    {
        string name = Path.GetFileName(resolvedTarget);

        // "." + name + "." + pid (≤ 10) + "-" + 32 hex + ".tmp"
        int room = MaxNameBytes - 1 - 1 - 10 - 1 - 32 - TemporarySuffix.Length;
        while (Encoding.UTF8.GetByteCount(name) > room)
        {
            name = name[..^(char.IsLowSurrogate(name[^1]) && name.Length > 1 ? 2 : 1)];
        }

        return "." + name + ".";
    }

    /// <summary>What is at the path, refused when it cannot or must not be written.</summary>
    private static FileEntry Check(string path)
    {
        FileEntry target = FileEntry.Inspect(path);
        switch (target.Kind)
        {
            case FileEntryKind.Directory:
                throw new IOException($"cannot save to '{path}': it is a directory.");
            case FileEntryKind.Other:
                throw new IOException($"cannot save to '{path}': it is neither a regular file, a device nor a pipe (a socket?).");
            case FileEntryKind.RegularFile when !target.HasWriteBit:
                throw new UnauthorizedAccessException($"cannot save to '{path}': the file is read-only (mode {Convert.ToString((int)target.Mode, 8)}). Make it writable or choose another path.");
            case FileEntryKind.RegularFile or FileEntryKind.Device or FileEntryKind.Fifo when !FileEntry.Accessible(target.ResolvedPath, write: true):
                throw new UnauthorizedAccessException($"cannot save to '{path}': this user may not write it (mode {Convert.ToString((int)target.Mode, 8)}, another owner). Choose another path.");
        }

        return target;
    }

    /// <summary>1 for paths that name this process's standard output, 2 for its standard error; otherwise null.</summary>
    private static int? StandardStream(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return null;
        }

        return path switch
        {
            "/dev/stdout" or "/dev/fd/1" or "/proc/self/fd/1" => 1,
            "/dev/stderr" or "/dev/fd/2" or "/proc/self/fd/2" => 2,
            _ => null,
        };
    }

    private static void WriteToStream(string path, int stream, Action<Stream> write, Func<Stream, Stream>? wrap)
    {
        try
        {
            using Stream standard = stream == 1 ? Console.OpenStandardOutput() : Console.OpenStandardError();
            Stream target = wrap?.Invoke(standard) ?? standard;
            write(target);
            target.Flush();
        }
        catch (IOException e)
        {
            throw new IOException($"cannot save to '{path}' (standard {(stream == 1 ? "output" : "error")}): {e.Message}", e);
        }
    }

    private static void Replace(string path, FileEntry target, Action<Stream> write, Func<Stream, Stream>? wrap)
    {
        string final = target.ResolvedPath;
        string directory = Path.GetDirectoryName(final) ?? ".";
        foreach (string stale in StaleTemporaries(final))
        {
            TryDelete(stale);
        }

        string temporary = Path.Combine(directory, $"{TemporaryPrefix(final)}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}{TemporarySuffix}");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Stream stream = wrap?.Invoke(file) ?? file;
                write(stream);
                stream.Flush();
                file.Flush(flushToDisk: true);
            }

            if (target.Kind == FileEntryKind.RegularFile && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, target.Mode);
            }

            File.Move(temporary, final, overwrite: true);
        }
        catch (Exception e)
        {
            TryDelete(temporary);
            if (e is IOException or UnauthorizedAccessException)
            {
                throw Named(e, path, temporary, final);
            }

            throw;
        }
    }

    private static void WriteInPlace(string path, string resolved, Action<Stream> write, Func<Stream, Stream>? wrap)
    {
        try
        {
            // Open, not create or truncate: a device or pipe stays what it is.
            using var file = new FileStream(resolved, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1 << 16);
            Stream stream = wrap?.Invoke(file) ?? file;
            write(stream);
            stream.Flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Named(e, path, resolved, resolved);
        }
    }

    /// <summary>The same kind of exception, with a message about the caller's path instead of internal ones.</summary>
    private static Exception Named(Exception e, string path, string temporary, string final)
    {
        string detail = e.Message.Replace(temporary, path, StringComparison.Ordinal).Replace(final, path, StringComparison.Ordinal);
        string message = $"cannot save to '{path}': {detail}";
        return e is UnauthorizedAccessException ? new UnauthorizedAccessException(message, e) : new IOException(message, e);
    }

    private static bool ProcessIsRunning(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            return Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture));
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more to do: the target is untouched either way.
        }
    }
}
