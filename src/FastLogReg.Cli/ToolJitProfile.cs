using System.Reflection;
using FastLogReg.IO;

namespace FastLogReg.Cli;

/// <summary>
/// The tool's multicore JIT profile (<see cref="JitProfile"/>): each run records which methods the JIT compiled, and the
/// next run compiles them on a background thread from its first moment, while the main thread parses the command line
/// and reads the data — measured on the bundled data set, the first fit of a fresh process 46 → 26 ms
/// (<c>docs/performance.md</c>). One profile per tool and runtime version, in <c>$FASTLOGREG_JIT_PROFILE</c> (a
/// directory; <c>off</c> turns it off) or else under the user's local application data (<c>~/.local/share/fastlogreg/jit</c>
/// on Linux). When the place cannot be used the tool runs without the profile, saying why on stderr if the variable
/// named the place.
/// </summary>
internal static class ToolJitProfile
{
    /// <summary>The environment variable that names the profile's directory, or turns the profile off.</summary>
    public const string Variable = "FASTLOGREG_JIT_PROFILE";

    /// <summary>The profile's name: the tool and its version (a new version records afresh).</summary>
    public static string Name { get; } = $"fastlogreg-{ToolVersion()}";

    /// <summary>The profile's file name (<see cref="JitProfile.FileNameFor"/>: with the runtime's version).</summary>
    public static string FileName { get; } = JitProfile.FileNameFor(Name);

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
    /// Starts the multicore JIT for this process unless turned off or unusable (then writes to <paramref name="error"/>
    /// why, when the variable named the place); returns the profile to <see cref="JitProfile.Publish"/> at the end, or null.
    /// </summary>
    public static JitProfile? Start(TextWriter error)
    {
        string? setting = Environment.GetEnvironmentVariable(Variable);
        string? directory = Directory(setting, Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify));
        if (directory is null)
        {
            return null;
        }

        JitProfile profile = JitProfile.Start(directory, Name);
        if (profile.Problem is { } problem && setting is not null)
        {
            error.WriteLine($"warning: {Variable}: {problem}; running without the JIT profile.");
        }

        return profile.IsRecording ? profile : null;
    }

    private static string ToolVersion()
    {
        string version = typeof(ToolJitProfile).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        version = version.Split('+')[0]; // not the commit: a rebuilt assembly's entries that no longer resolve are skipped
        return string.Concat(version.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_'));
    }
}
