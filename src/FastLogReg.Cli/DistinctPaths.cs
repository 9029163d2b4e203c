using FastLogReg.IO;

namespace FastLogReg.Cli;

/// <summary>Refuses a command line whose files overlap where one would overwrite another (exit code 2).</summary>
internal static class DistinctPaths
{
    /// <summary>Throws a <see cref="UsageException"/> when two of the named files are the same file.</summary>
    /// <param name="files">Each option with its file; null files are skipped.</param>
    public static void Require(params (string Option, FileInfo? File)[] files)
    {
        for (int i = 0; i < files.Length; i++)
        {
            for (int j = i + 1; j < files.Length; j++)
            {
                if (files[i].File is { } a && files[j].File is { } b && !IsStream(a) && FileEntry.SameFile(a.FullName, b.FullName))
                {
                    throw new UsageException($"{files[i].Option} and {files[j].Option} name the same file '{b.FullName}'; give each its own path.");
                }
            }
        }
    }

    /// <summary>A device or pipe (<c>/dev/null</c>, <c>/dev/stdout</c>) is written in place, so two outputs may share it.</summary>
    private static bool IsStream(FileInfo file) => FileEntry.Inspect(file.FullName).Kind is FileEntryKind.Device or FileEntryKind.Fifo;
}
