using System.Reflection;
using System.Runtime;
using FastLogReg.IO;

namespace FastLogReg.Cli;

/// <summary>
/// The tool's multicore JIT profile (<see cref="ProfileOptimization"/>): each run records which methods the JIT compiled,
/// and the next run compiles them on a background thread from its first moment, while the main thread parses the
/// command line and reads the data — measured on the bundled data set, the first fit of a fresh process 43–48 → 25–31 ms
/// (<c>docs/performance.md</c>). The profile is a small file per tool and runtime version, in
/// <c>$FASTLOGREG_JIT_PROFILE</c> (a directory; <c>off</c> turns it off) or else under the user's local application
/// data (<c>~/.local/share/fastlogreg/jit</c> on Linux). The runtime rewrites the file when the process ends, so only a
/// regular file (or nothing) is accepted at its path — never a link, a device or a directory; when the place cannot be
/// used the tool runs without it (and says why on stderr if the variable named the place).
/// </summary>
internal static class JitProfile
{
    /// <summary>The environment variable that names the profile's directory, or turns the profile off.</summary>
    public const string Variable = "FASTLOGREG_JIT_PROFILE";

    /// <summary>The profile's file name: one per tool version and runtime version (a new build records afresh).</summary>
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
                return $"'{directory}' is not a directory";
            }

            string file = Path.Combine(directory, FileName);
            if (new FileInfo(file).LinkTarget is not null)
            {
                return $"'{file}' is a symbolic link (the runtime would write through it)";
            }

            FileEntryKind kind = FileEntry.Inspect(file).Kind;
            return kind is FileEntryKind.Missing or FileEntryKind.RegularFile ? null : $"'{file}' is not a regular file";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return $"'{directory}': {e.Message}";
        }
    }

    /// <summary>Starts the multicore JIT for this process unless turned off; writes to <paramref name="error"/> why it could not when the variable named the place.</summary>
    public static void Start(TextWriter error)
    {
        string? setting = Environment.GetEnvironmentVariable(Variable);
        string? directory = Directory(setting, Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify));
        if (directory is null)
        {
            return;
        }

        if (Check(directory) is { } problem)
        {
            if (setting is not null)
            {
                error.WriteLine($"warning: {Variable}: {problem}; running without the JIT profile.");
            }

            return;
        }

        ProfileOptimization.SetProfileRoot(directory);
        ProfileOptimization.StartProfile(FileName);
    }

    private static string ToolVersion()
    {
        string version = typeof(JitProfile).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        version = version.Split('+')[0]; // not the commit: a rebuilt assembly's entries that no longer resolve are skipped
        return string.Concat(version.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_'));
    }
}
