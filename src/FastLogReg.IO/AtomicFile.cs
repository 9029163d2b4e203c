using System.Globalization;

namespace FastLogReg.IO;

/// <summary>
/// Saves a file without ever leaving a half-written one, and without replacing what is not a regular file.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A regular file (or a new one) is written to a hidden temporary file in the same directory, flushed to disk,
/// given the old file's permissions, and renamed over the target: a failed or killed save leaves the previous file (or
/// none) intact. A later save to the same path removes temporary files that a killed save left behind.</item>
/// <item>A symbolic link is followed: its final target is replaced atomically in the target's own directory, and the
/// link stays a link.</item>
/// <item>A device (<c>/dev/null</c>, <c>/dev/stdout</c>) or a named pipe is written in place, never replaced.</item>
/// <item>A read-only file or a directory is refused with an <see cref="UnauthorizedAccessException"/> /
/// <see cref="IOException"/> naming the path.</item>
/// </list>
/// Error messages name the caller's path, never the temporary file.
/// </remarks>
internal static class AtomicFile
{
    private const string TemporarySuffix = ".tmp";

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
        FileEntry target = FileEntry.Inspect(path);
        switch (target.Kind)
        {
            case FileEntryKind.Directory:
                throw new IOException($"cannot save to '{path}': it is a directory.");
            case FileEntryKind.Device or FileEntryKind.Fifo:
                WriteInPlace(path, target.ResolvedPath, write, wrap);
                return;
            case FileEntryKind.Other:
                throw new IOException($"cannot save to '{path}': it is neither a regular file, a device nor a pipe (a socket?).");
            case FileEntryKind.RegularFile when !target.HasWriteBit:
                throw new UnauthorizedAccessException($"cannot save to '{path}': the file is read-only (mode {Convert.ToString((int)target.Mode, 8)}). Make it writable or choose another path.");
        }

        Replace(path, target, write, wrap);
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
            // ".{name}.{pid}-{guid}.tmp": the writer's process id, then a unique part.
            string middle = Path.GetFileName(candidate)[prefix.Length..^TemporarySuffix.Length];
            int dash = middle.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0
                && int.TryParse(middle.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                && pid != Environment.ProcessId
                && !ProcessIsRunning(pid))
            {
                yield return candidate;
            }
        }
    }

    private static string TemporaryPrefix(string resolvedTarget) => "." + Path.GetFileName(resolvedTarget) + ".";

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
